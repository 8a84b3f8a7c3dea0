"""The addressees' replies: drafts, answers, waivers and attachments."""
