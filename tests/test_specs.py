"""The workflow rules as Gherkin specs (specs/*.feature), bound by tests/steps/."""

from pytest_bdd import scenarios

scenarios(".")
