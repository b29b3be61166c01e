" Vim syntax file
" Language:    journey (the customer-journey language of cjm, docs/language.md)
" Maintainer:  the cjm authors
" Keywords come from lang/keywords.def; tests/cli/editors.sh checks that each one is here.
if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match

" Names: ASCII letters, digits and _, and any UTF-8 letter.
syn match journeyIdentifier '\%([A-Za-z_]\|[^\x00-\x7f]\)\%([A-Za-z0-9_]\|[^\x00-\x7f]\)*'

syn keyword journeyDeclaration journey persona curve stage touchpoint channel rule scenario state
syn keyword journeyInclude import
syn keyword journeyModifier extend goal
syn keyword journeyAttribute cohort horizon seed start share mood wait revenue reach emotion cost pain opportunity
syn keyword journeyAttribute arrivals survey events inactivity memory
syn keyword journeyPreposition per from for
syn keyword journeyControl when otherwise with touch goto churn remove
syn keyword journeyLogical and or not
syn keyword journeyVariable time
syn keyword journeyFunction min max clamp abs visits met met_ever
syn keyword journeyBoolean true false
syn keyword journeyDistribution exponential uniform normal lognormal triangular gamma beta choice

" The name a declaration introduces, and the stage an arrow, goto or start leads to.
syn match journeyDeclName '\%(\<\%(journey\|persona\|curve\|stage\|touchpoint\|channel\|rule\|scenario\)\s\+\)\@<=\%([A-Za-z_]\|[^\x00-\x7f]\)\%([A-Za-z0-9_]\|[^\x00-\x7f]\)*'
syn match journeyTarget '\%(\%(->\|\<goto\|\<start\|\<touch\)\s*\)\@<=\%([A-Za-z_]\|[^\x00-\x7f]\)\%([A-Za-z0-9_]\|[^\x00-\x7f]\)*'
" The period of `arrivals ... per month`, and what a survey asks: `survey nps`, `survey csat`.
syn match journeyPeriod '\%(\<per\s\+\)\@<=\%(day\|week\|month\|quarter\|year\)s\=\>'
syn match journeySurvey '\%(\<survey\s\+\)\@<=\%(nps\|csat\)\>'
syn match journeyTrait '\%([A-Za-z_]\|[^\x00-\x7f]\)\%([A-Za-z0-9_]\|[^\x00-\x7f]\)*\ze\s*=\%(=\)\@!'
" A state variable's declaration (after journeyTrait, which would take its name before '='), and
" what visits(), met() and met_ever() name: a stage, a touchpoint or a channel.
syn match journeyDeclName '\%(\<state\s\+\)\@<=\%([A-Za-z_]\|[^\x00-\x7f]\)\%([A-Za-z0-9_]\|[^\x00-\x7f]\)*'
syn match journeyTarget '\%(\<\%(visits\|met\|met_ever\)\s*(\s*\)\@<=\%([A-Za-z_]\|[^\x00-\x7f]\)\%([A-Za-z0-9_]\|[^\x00-\x7f]\)*'
" (A keyword wins over these names where both match: `-> churn` is the keyword.)

syn match journeyOperator '[-+*/<>:]\|[<>=!]=\|+=\|-=\|='
syn match journeyArrow '->'
syn match journeyError '&&\|||'

" Numbers, percentages (35%) and durations (3 days): the unit is on the number's line.
syn match journeyNumber '\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\='
syn match journeyPercent '\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=[ \t]*%'
syn match journeyDuration '\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=[ \t]*\%(minute\|hour\|day\|week\|month\|quarter\|year\)s\=\>'

syn region journeyString start=+"+ skip=+\\\\\|\\"+ end=+"\|$+ contains=journeyEscape,journeyBadEscape,@Spell
syn match journeyBadEscape contained +\\.+
syn match journeyEscape contained +\\[\\"nt]+

syn keyword journeyTodo contained TODO FIXME XXX NOTE
syn match journeyComment '//.*$' contains=journeyTodo,@Spell
syn region journeyComment start='/\*' end='\*/' contains=journeyTodo,@Spell fold

syn region journeyBlock start='{' end='}' transparent fold

syn sync ccomment journeyComment

hi def link journeyDeclaration Structure
hi def link journeyInclude Include
hi def link journeyModifier StorageClass
hi def link journeyAttribute Keyword
hi def link journeyControl Conditional
hi def link journeyPreposition Keyword
hi def link journeyPeriod Number
hi def link journeySurvey Constant
hi def link journeyLogical Operator
hi def link journeyVariable Identifier
hi def link journeyFunction Function
hi def link journeyBoolean Boolean
hi def link journeyDistribution Function
hi def link journeyDeclName Type
hi def link journeyTarget Type
hi def link journeyTrait Identifier
hi def link journeyOperator Operator
hi def link journeyArrow Operator
hi def link journeyError Error
hi def link journeyNumber Number
hi def link journeyPercent Number
hi def link journeyDuration Number
hi def link journeyString String
hi def link journeyEscape SpecialChar
hi def link journeyBadEscape Error
hi def link journeyTodo Todo
hi def link journeyComment Comment

let b:current_syntax = 'journey'
let &cpo = s:cpo_save
unlet s:cpo_save
