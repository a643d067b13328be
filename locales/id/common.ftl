# Shared by every page.
skip-to-content = Langsung ke isi
language-label = Bahasa
language-switch = Ganti
