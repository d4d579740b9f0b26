" Vim filetype detection for rbk plans (docs/language.md): *.rbk files.
autocmd BufNewFile,BufRead *.rbk setfiletype rbk
