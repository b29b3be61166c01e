" Vim compiler file: cjm check (`:compiler cjm`, then `:make` fills the quickfix list).
if exists('current_compiler')
  finish
endif
let current_compiler = 'cjm'
if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif
" Diagnostics look like a compiler's: file:line:col: error|warning|note: message, then the source
" line and a caret, which are left out.
CompilerSet makeprg=cjm\ check\ --color=never\ %:S
CompilerSet errorformat=%E%f:%l:%v:\ error:\ %m,%W%f:%l:%v:\ warning:\ %m,%I%f:%l:%v:\ note:\ %m,%Ecjm:\ error:\ %m,%-G%.%#
