" Vim syntax file
" Language:    rbk plans (incident runbooks), *.rbk
" Reference:   docs/syntax.md and grammar/lexer.l of the rbk sources
" Installed:   share/vim/vimfiles/syntax/rbk.vim (with ftdetect/rbk.vim)

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" The reserved words of grammar/lexer.l. A keyword after '.' or '?.' is a plain name
" (run.error, cfg.timeout): rbkField below takes those first.
syn keyword rbkDeclaration runbook param let import as proc
syn keyword rbkStatement   step parallel gate approve wait notify abort return
syn keyword rbkCheck       assert expect
syn keyword rbkRepeat      for
syn keyword rbkConditional if else
syn keyword rbkClause      from until every timeout retry backoff recheck in
syn keyword rbkHandler     on failure finally
syn keyword rbkOperatorWord and or not
syn keyword rbkBoolean     true false
syn keyword rbkNull        null
syn keyword rbkType        string int float bool duration list object contained

" Built-in functions (docs/builtins.md) and handle constructors (language.md §10), when called.
syn match rbkBuiltin "\<\%(len\|count\|all\|any\|filter\|map\|keys\|values\|merge\|contains\|sum\|min\|max\|sort\|sort_by\|range\|startswith\|endswith\|matches\|split\|join\|upper\|lower\|trim\|str\|int\|float\|json\|yaml\|to_json\|to_yaml\|base64\|unbase64\|env\|secret\|file\|now\|since\|parse_time\|format_time\|run\|write_file\)\ze\s*("
syn match rbkConstructor "\<\%(kube\|http\|slack\|webhook\|console\|logfile\)\ze\s*("

" A name after '.' or '?.', keywords included: the match starts at the dot, before any keyword,
" and is not highlighted.
syn match rbkField "?\=\.\h\w*"

" The type after 'param NAME:' or a proc parameter's ':'.
syn match rbkTypeAnnot ":\s*\%(string\|int\|float\|bool\|duration\|list\|object\)\>" contains=rbkType

" Literals. Of the matches that start at one place the last defined wins: a number glued to
" letters (5min, 0x1F) is an error unless it is a duration (1h30m, 500ms) or a float (1.5e3).
syn match rbkBadNumber "\<\d\w*"
syn match rbkNumber   "\<\d\+\>"
syn match rbkFloat    "\<\d\+\.\d\+\%([eE][+-]\=\d\+\)\=\>"
syn match rbkFloat    "\<\d\+[eE][+-]\=\d\+\>"
syn match rbkDuration "\<\%(\d\+\%(ms\|s\|m\|h\|d\)\)\+\>"

" Strings: "…" on one line, """…""" over lines; escapes and ${…} interpolation in both.
syn match  rbkEscape    contained "\\[ntr\\\"$]"
syn match  rbkEscape    contained "\\u{\x\{1,6}}"
syn match  rbkBadEscape contained "\\[^ntr\\\"$u]"
syn region rbkInterp    contained matchgroup=rbkInterpDelim start="\${" end="}" contains=@rbkCode
syn region rbkTripleString start=+"""+ end=+"""+ contains=rbkEscape,rbkBadEscape,rbkInterp,@Spell
syn region rbkString    start=+"\%(""\)\@!+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=rbkEscape,rbkBadEscape,rbkInterp,@Spell

" Braces inside an interpolation nest ("${f({k: 1})}").
syn region rbkBraces    contained transparent start="{" end="}" contains=@rbkCode

syn match rbkOperator "==\|!=\|<=\|>=\|=>\|?\.\|?\[\@=\|??\|[<>+\-*/%=]"
syn match rbkError    "&&\|||\|'[^']*'\="

syn match rbkComment  "#.*$" contains=rbkTodo,@Spell
syn keyword rbkTodo   contained TODO FIXME XXX NOTE

syn cluster rbkCode contains=rbkDeclaration,rbkStatement,rbkCheck,rbkRepeat,rbkConditional,rbkClause,rbkHandler,rbkOperatorWord,rbkBoolean,rbkNull,rbkBuiltin,rbkConstructor,rbkField,rbkDuration,rbkFloat,rbkNumber,rbkBadNumber,rbkString,rbkTripleString,rbkOperator,rbkBraces

syn sync minlines=200

hi def link rbkDeclaration  Structure
hi def link rbkStatement    Statement
hi def link rbkCheck        Exception
hi def link rbkRepeat       Repeat
hi def link rbkConditional  Conditional
hi def link rbkClause       Keyword
hi def link rbkHandler      Exception
hi def link rbkOperatorWord Operator
hi def link rbkBoolean      Boolean
hi def link rbkNull         Constant
hi def link rbkType         Type
hi def link rbkBuiltin      Function
hi def link rbkConstructor  Function
hi def link rbkDuration     Number
hi def link rbkFloat        Float
hi def link rbkNumber       Number
hi def link rbkBadNumber    Error
hi def link rbkString       String
hi def link rbkTripleString String
hi def link rbkEscape       SpecialChar
hi def link rbkBadEscape    Error
hi def link rbkInterpDelim  Delimiter
hi def link rbkOperator     Operator
hi def link rbkError        Error
hi def link rbkComment      Comment
hi def link rbkTodo         Todo

let b:current_syntax = 'rbk'

let &cpo = s:cpo_save
unlet s:cpo_save
