" ftdetect/journey.vim: files ending in .journey are customer journeys of cjm.
autocmd BufRead,BufNewFile *.journey setfiletype journey
