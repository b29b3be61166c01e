" Vim filetype plugin for journeys (cjm): comments, `:make` runs `cjm check` on the file and fills
" the quickfix list, `:JourneyFmt` formats the buffer with `cjm fmt` (nothing changes on errors).
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,://
setlocal formatoptions-=t formatoptions+=croql
setlocal expandtab shiftwidth=2 softtabstop=2
setlocal suffixesadd=.journey
setlocal makeprg=cjm\ check\ --color=never\ %:S
" Columns count characters, as cjm's do (%v), not bytes.
setlocal errorformat=%E%f:%l:%v:\ error:\ %m,%W%f:%l:%v:\ warning:\ %m,%I%f:%l:%v:\ note:\ %m,%Ecjm:\ error:\ %m,%-G%.%#

command! -buffer -bar JourneyFmt call s:JourneyFmt()

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< expandtab< shiftwidth< softtabstop<'
      \ . ' suffixesadd< makeprg< errorformat< | silent! delcommand -buffer JourneyFmt'

if exists('*s:JourneyFmt')
  finish
endif

" Replaces the buffer with `cjm fmt -` of it; on syntax errors shows them and changes nothing.
function! s:JourneyFmt() abort
  let l:lines = getline(1, '$')
  let l:out = systemlist('cjm --color=never fmt -', l:lines)
  if v:shell_error
    echohl ErrorMsg
    echo join(l:out, "\n")
    echohl None
    return
  endif
  if l:out ==# l:lines
    return
  endif
  let l:view = winsaveview()
  silent! undojoin
  call setline(1, l:out)
  if line('$') > len(l:out)
    silent execute (len(l:out) + 1) . ',$delete _'
  endif
  call winrestview(l:view)
endfunction
