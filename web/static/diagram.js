/* Draw the lifecycle diagram with the locally served mermaid.js (the page works without it). */
if (window.mermaid) {
  window.mermaid.initialize({ startOnLoad: true, securityLevel: "strict" });
}
