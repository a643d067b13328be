# Shared by every page.
skip-to-content = 跳到正文
language-label = 语言
language-switch = 切换
