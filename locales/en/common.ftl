# Shared by every page.
skip-to-content = Skip to content
language-label = Language
language-switch = Change
