" Vim indent file for journeys (cjm): the layout of `cjm fmt`. Block items are indented two spaces
" inside their '{ }'; a line that continues an item (`when`, `and`, an operator, a reason, the
" rest of an `arrivals` line or of its list of counts) four spaces more than the item.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GetJourneyIndent(v:lnum)
setlocal indentkeys=0{,0},0),!^F,o,O,=when,=and,=or
setlocal autoindent nosmartindent nocindent
let b:undo_indent = 'setlocal indentexpr< indentkeys< autoindent< smartindent< cindent<'

if exists('*GetJourneyIndent')
  finish
endif

" The code of a line: strings emptied, comments removed.
function! s:Code(lnum) abort
  let l:line = substitute(getline(a:lnum), '"\%([^"\\]\|\\.\)*"', '""', 'g')
  let l:line = substitute(l:line, '/\*.\{-}\*/', '', 'g')
  return substitute(l:line, '//.*$', '', '')
endfunction

" Whether a line continues the item of the line before it.
function! s:IsContinuation(lnum) abort
  return getline(a:lnum) =~# '^\s*\%(when\>\|and\>\|or\>\|with\>\|otherwise\>\|per\>\|from\>\|for\>\|"\|-\%(>\)\@!\|/\%([/*]\)\@!\|[+*<>=!,\]]\|\d\)'
endfunction

function! GetJourneyIndent(lnum) abort
  " Inside a block comment: leave the line as it is.
  if getline(a:lnum) !~# '^\s*\%(/[/*]\)' && synIDattr(synID(a:lnum, 1, 1), 'name') ==# 'journeyComment'
    return -1
  endif
  let l:prev = prevnonblank(a:lnum - 1)
  if l:prev == 0
    return 0
  endif
  " The first line of the item the previous line belongs to.
  let l:start = l:prev
  while l:start > 1 && s:IsContinuation(l:start) && prevnonblank(l:start - 1) > 0
    let l:start = prevnonblank(l:start - 1)
  endwhile
  let l:opens = 0
  for l:n in range(l:start, l:prev)
    let l:code = s:Code(l:n)
    let l:opens += len(substitute(l:code, '[^{]', '', 'g')) - len(substitute(l:code, '[^}]', '', 'g'))
  endfor
  let l:ind = indent(l:start)
  if getline(l:start) =~# '^\s*}'
    let l:opens += 1
  endif
  if l:opens > 0
    let l:ind += shiftwidth()
  endif
  if getline(a:lnum) =~# '^\s*}'
    let l:ind -= shiftwidth()
  elseif l:opens <= 0 && s:IsContinuation(a:lnum)
    let l:ind += 2 * shiftwidth()
  endif
  return l:ind < 0 ? 0 : l:ind
endfunction
