/* parser.y — rbk's grammar (language.md §1–§5, docs/syntax.md). Pure parser, one context
 * (parse_ctx) for the scanner and the actions; every action is a call to a parse_build.h or
 * parse_str.h helper, which stamps spans and caps expression depth. */
%code requires {
#include "parse_build.h"
}

%code provides {
/* The scanner's bison bridge (lexer.l) names the unprefixed types. */
#ifndef YYSTYPE
#define YYSTYPE RBK_YYSTYPE
#endif
#ifndef YYLTYPE
#define YYLTYPE RBK_YYLTYPE
#endif
}

%code {
#include <stdlib.h>
#include <string.h>

#include "parse_error.h"

#define YYMAXDEPTH PARSE_MAX_STACK

/* The span of a location (@$, @1…), as the builders take it. */
#define SP(loc) parse_span(ctx, loc)

/* Spans: a rule covers its first to its last symbol (its start and its end are each 8 bytes of a
 * parse_loc, copied as such); an empty rule sits at the end of the one before. */
#define YYLLOC_DEFAULT(cur, rhs, n)                                                            \
  do {                                                                                         \
    if (n) {                                                                                   \
      memcpy(&(cur).line, &YYRHSLOC(rhs, 1).line, 2 * sizeof(int));                            \
      memcpy(&(cur).end_line, &YYRHSLOC(rhs, n).end_line, 2 * sizeof(int));                    \
    } else {                                                                                   \
      (cur) = YYRHSLOC(rhs, 0);                                                                \
      (cur).line = (cur).end_line;                                                             \
      (cur).col = (cur).end_col + 1;                                                           \
    }                                                                                          \
  } while (0)

int rbk_yyscan(parse_value *lval, parse_loc *lloc, void *scanner);

/* Returns the next token (end of file once the scan has halted: in the parser without lookahead
 * correction, parser_fast.c, at its first diagnostic, after which parse.c parses again with the
 * one with it). `depth` is the height of bison's stack: once it has come near its limit, a plain
 * string is scanned as STR_BEGIN STR_TEXT STR_END, which fills the stack at the same token as before
 * the STR token existed. One comparison a token watches for both (ctx->watch_depth). */
static int parse_lex(parse_value *lval, parse_loc *lloc, parse_ctx *ctx, long depth) {
  if (__builtin_expect(depth >= ctx->watch_depth, 0)) {
    if (ctx->halted) { /* parse_oom halts, and any error in parser_fast.c */
      *lloc = parse_error_end_span(ctx);
      return TK_END;
    }
    ctx->no_plain_str = true;
  }
  return rbk_yyscan(lval, lloc, ctx->scanner);
}
#undef yylex
#define yylex(lval, lloc, ctx) parse_lex(lval, lloc, ctx, yyssp - yyss)

/* Reports bison's own failure: its stack is full (deep right-nested input) or memory ran out. */
static void yyerror(parse_loc *loc, parse_ctx *ctx, const char *msg) {
  (void)msg;
  parse_error_stack_full(ctx, parse_span(ctx, *loc));
}
}

%define api.prefix {rbk_yy}
%define api.pure full
%define api.location.type {parse_loc} /* parse_int.h: an rbk_span without its source */
%define api.token.prefix {TK_}
%define api.token.raw /* token numbers are symbol numbers: no translation per token */
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {parse_ctx *ctx}

%define api.value.type {parse_value} /* parse_int.h */

%token END 0 "end of file"
%token NEWLINE "end of line"
%token <sl> IDENT "identifier"
%token <node> INT "integer" FLOAT "float" DURATION "duration"
%token <flag> STR_BEGIN "string"
%token <text> STR_TEXT "string text"
%token <sl> STR_INDENT "indentation"
%token STR_END "end of string" INTERP_BEGIN "'${'" INTERP_END "'}' closing '${'"
%token LT "'<'" GT "'>'" PLUS "'+'" MINUS "'-'" STAR "'*'" SLASH "'/'" PERCENT "'%'"
%token SEMI "';'" LBRACE "'{'" RBRACE "'}'" LPAREN "'('" RPAREN "')'" ASSIGN "'='" COLON "':'"
%token COMMA "','" DOT "'.'" LBRACKET "'['" RBRACKET "']'"
%token EQ "'=='" NE "'!='" LE "'<='" GE "'>='" ARROW "'=>'" SAFE_DOT "'?.'" COALESCE "'??'"
%token SAFE_LBRACKET "'?['"
/* 'if' where a statement cannot start (lexer.l): a conditional expression, never an if statement. */
%token <sl> IF_EXPR "'if' (expression)"
/* The keywords, in one run from RUNBOOK to NOT (sym_keyword relies on it). */
%token <sl> RUNBOOK "'runbook'" PARAM "'param'" LET "'let'" IMPORT "'import'" AS "'as'"
%token <sl> PROC "'proc'" STEP "'step'" PARALLEL "'parallel'" FOR "'for'" IN "'in'" IF "'if'"
%token <sl> ELSE "'else'" GATE "'gate'" APPROVE "'approve'" FROM "'from'" WAIT "'wait'"
%token <sl> UNTIL "'until'" EVERY "'every'" TIMEOUT "'timeout'" RETRY "'retry'" BACKOFF "'backoff'" RECHECK "'recheck'"
%token <sl> ASSERT "'assert'" EXPECT "'expect'" NOTIFY "'notify'" ABORT "'abort'" ON "'on'"
%token <sl> FAILURE "'failure'" FINALLY "'finally'" RETURN "'return'" TRUE "'true'" FALSE "'false'"
%token <sl> NULL_KW "'null'" AND "'and'" OR "'or'" NOT "'not'"
/* A "…" string of plain ASCII text alone (no escape, no "${", not empty): one token, its text
 * without the quotes (lexer.l); any other string comes as STR_BEGIN … STR_END. */
%token <sl> STR "plain string"

%type <node> top_stmt decl stmt if_stmt block block_nl proc_param titled optioned
%type <seq> stmts fields proc_params proc_plist channels list_items pairs arglist
%type <x> expr atom string opt_default opt_doc pair chan every_value cond_tail cond_arm
%type <sb> str_parts
%type <sl> key
%type <type> opt_type

/* Nodes and text live in the file's arena (ast.h): only the stacks of pending list items and string
 * pieces need unwinding when error recovery discards a value. */
%destructor { parse_build_seq_discard(ctx, $$); } <seq>
%destructor { parse_str_discard(ctx, $$); } <sb>

%precedence ARROW
%left OR
%left AND
%precedence NOT
%nonassoc EQ NE LT LE GT GE IN
%right COALESCE
%left PLUS MINUS
%left STAR SLASH PERCENT
%precedence UMINUS
%precedence DOT SAFE_DOT LBRACKET SAFE_LBRACKET LPAREN /* postfix: binds tighter than any operator */
/* A string's first text is taken with its start, and a string of one text is one rule (fewer
 * reductions per string). */
%precedence STR_BEGIN
%precedence STR_TEXT
%precedence STR_END

%%

file: top_stmts ;

top_stmts:
    %empty
  | top_stmts NEWLINE
  | top_stmts SEMI
  | top_stmts top_stmt NEWLINE      { parse_build_file_add(ctx, $2); }
  | top_stmts top_stmt SEMI         { parse_build_file_add(ctx, $2); }
  | top_stmts error sep             { yyerrok; }
  ;

/* (A statement's own rules name NEWLINE and SEMI: one reduction less per line.) */
sep: NEWLINE | SEMI ;

top_stmt: decl | stmt ;

decl:
    RUNBOOK string LBRACE fields RBRACE               { $$ = parse_build_runbook(ctx, $2, $4, SP(@$)); }
  | RUNBOOK string LBRACE fields error RBRACE         { $$ = parse_build_runbook(ctx, $2, $4, SP(@$)); }
  | PARAM IDENT opt_type opt_default opt_doc    { $$ = parse_build_param(ctx, $2, SP(@2), $3, $4, $5, SP(@$)); }
  | IMPORT string AS IDENT                      { $$ = parse_build_import(ctx, $2, $4, SP(@$)); }
  | PROC IDENT LPAREN proc_params RPAREN block_nl     { $$ = parse_build_proc(ctx, $2, $4, $6, SP(@$)); }
  ;

fields:
    %empty                          { $$ = parse_build_seq(ctx, AST_RUNBOOK, @$); }
  | fields sep                      { $$ = $1; }
  | fields key ASSIGN expr sep         { $$ = parse_build_field(ctx, $1, $2, SP(@2), $4); }
  | fields error sep                { $$ = $1; yyerrok; }
  ;

opt_type:
    %empty                          { $$ = TYPE_ANY; }
  | COLON IDENT                       { $$ = parse_build_type(ctx, $2, SP(@2)); }
  ;

opt_default: %empty { $$ = (xnode){0}; } | ASSIGN expr { $$ = $2; } ;
opt_doc: %empty { $$ = (xnode){0}; } | string ;

proc_params:
    %empty                          { $$ = parse_build_seq(ctx, AST_PROC, @$); }
  | proc_plist
  | proc_plist COMMA
  ;

proc_plist:
    proc_param                      { $$ = parse_build_push(ctx, parse_build_seq(ctx, AST_PROC, @1), $1); }
  | proc_plist COMMA proc_param       { $$ = parse_build_push(ctx, $1, $3); }
  ;

proc_param: IDENT opt_type opt_default  { $$ = parse_build_param(ctx, $1, SP(@1), $2, $3, (xnode){0}, SP(@$)); } ;

block:
    LBRACE stmts RBRACE                   { $$ = parse_build_block(ctx, $2, @$); }
  | LBRACE stmts error RBRACE             { $$ = parse_build_block(ctx, $2, @$); }
  ;

/* A block after a statement's head; one whose '{' starts the next line is reported and taken (so
 * that one mistake makes one error). */
block_nl:
    LBRACE stmts RBRACE                   { $$ = parse_build_block(ctx, $2, @$); }
  | LBRACE stmts error RBRACE             { $$ = parse_build_block(ctx, $2, @$); }
  | NEWLINE block                   { $$ = parse_build_block_next_line(ctx, SP(@1), $2); }
  ;

stmts:
    %empty                          { $$ = parse_build_seq(ctx, AST_BLOCK, @$); }
  | stmts NEWLINE                   { $$ = $1; }
  | stmts SEMI                      { $$ = $1; }
  | stmts stmt NEWLINE              { $$ = parse_build_push(ctx, $1, $2); }
  | stmts stmt SEMI                 { $$ = parse_build_push(ctx, $1, $2); }
  | stmts error sep                 { $$ = $1; yyerrok; }
  ;

stmt:
    LET IDENT ASSIGN expr                              { $$ = parse_build_let(ctx, $2, $4, @$); }
  | LET IDENT ASSIGN PARALLEL FOR IDENT IN expr block_nl {
      $$ = parse_build_let_loop(ctx, $2, parse_build_loop(ctx, AST_PARALLEL_FOR, $6, $8, NULL, SP(@8), (xnode){0}, $9, ast_span_join(SP(@4), SP(@9))), @$);
    }
  | LET IDENT ASSIGN PARALLEL FOR IDENT IN expr IDENT expr block_nl {
      $$ = parse_build_let_loop(ctx, $2, parse_build_loop(ctx, AST_PARALLEL_FOR, $6, $8, &$9, SP(@9), $10, $11, ast_span_join(SP(@4), SP(@11))), @$);
    }
  | titled block_nl                                 { $$ = parse_build_body(ctx, $1, $2, SP(@$)); }
  | optioned
  | PARALLEL block                                  { $$ = parse_build_parallel(ctx, NULL, SP(@1), (xnode){0}, $2, SP(@$)); }
  | PARALLEL IDENT expr block_nl                    { $$ = parse_build_parallel(ctx, &$2, SP(@2), $3, $4, SP(@$)); }
  | PARALLEL FOR IDENT IN expr block_nl             { $$ = parse_build_loop(ctx, AST_PARALLEL_FOR, $3, $5, NULL, SP(@5), (xnode){0}, $6, SP(@$)); }
  | PARALLEL FOR IDENT IN expr IDENT expr block_nl  { $$ = parse_build_loop(ctx, AST_PARALLEL_FOR, $3, $5, &$6, SP(@6), $7, $8, SP(@$)); }
  | FOR IDENT IN expr block_nl                      { $$ = parse_build_loop(ctx, AST_FOR, $2, $4, NULL, SP(@4), (xnode){0}, $5, SP(@$)); }
  | if_stmt
  | ELSE block                                      { $$ = parse_build_stray_else(ctx, SP(@1), $2); }
  | ELSE if_stmt                                    { $$ = parse_build_stray_else(ctx, SP(@1), $2); }
  | WAIT expr                                       { $$ = parse_build_stmt1(ctx, AST_WAIT, $2, @$); }
  | ASSERT expr                                     { $$ = parse_build_check(ctx, AST_ASSERT, $2, (xnode){0}, SP(@$)); }
  | ASSERT expr COMMA expr                            { $$ = parse_build_check(ctx, AST_ASSERT, $2, $4, SP(@$)); }
  | EXPECT expr                                     { $$ = parse_build_check(ctx, AST_EXPECT, $2, (xnode){0}, SP(@$)); }
  | EXPECT expr COMMA expr                            { $$ = parse_build_check(ctx, AST_EXPECT, $2, $4, SP(@$)); }
  | NOTIFY channels expr                            { $$ = parse_build_notify(ctx, $2, (xnode){0}, $3, SP(@$)); }
  | NOTIFY channels EVERY every_value expr          { $$ = parse_build_notify(ctx, $2, $4, $5, SP(@$)); }
  | ABORT expr                                      { $$ = parse_build_stmt1(ctx, AST_ABORT, $2, @$); }
  | ON FAILURE block                                { $$ = parse_build_handler(ctx, AST_ON_FAILURE, $3, SP(@$)); }
  | FINALLY block                                   { $$ = parse_build_handler(ctx, AST_FINALLY, $2, SP(@$)); }
  | RETURN expr                                     { $$ = parse_build_stmt1(ctx, AST_RETURN, $2, @$); }
  | expr                                            { $$ = parse_build_stmt1(ctx, AST_EXPR_STMT, $1, @$); }
  ;

/* Each clause keyword has its own rules (no reduction of its own). */
titled:
    STEP string                     { $$ = parse_build_head(ctx, AST_STEP, $2, SP(@$)); }
  | GATE string                     { $$ = parse_build_head(ctx, AST_GATE, $2, SP(@$)); }
  | titled TIMEOUT  expr { $$ = parse_build_clause(ctx, $1, CLAUSE_TIMEOUT, SP(@2), $3); }
  | titled RETRY    expr { $$ = parse_build_clause(ctx, $1, CLAUSE_RETRY, SP(@2), $3); }
  | titled BACKOFF  expr { $$ = parse_build_clause(ctx, $1, CLAUSE_BACKOFF, SP(@2), $3); }
  | titled EVERY    expr { $$ = parse_build_clause(ctx, $1, CLAUSE_EVERY, SP(@2), $3); }
  | titled FROM     expr { $$ = parse_build_clause(ctx, $1, CLAUSE_FROM, SP(@2), $3); }
  | titled RECHECK  expr { $$ = parse_build_clause(ctx, $1, CLAUSE_RECHECK, SP(@2), $3); }
  ;

optioned:
    APPROVE expr                    { $$ = parse_build_head(ctx, AST_APPROVE, $2, SP(@$)); }
  | WAIT UNTIL expr                 { $$ = parse_build_head(ctx, AST_WAIT_UNTIL, $3, SP(@$)); }
  | optioned TIMEOUT  expr { $$ = parse_build_clause(ctx, $1, CLAUSE_TIMEOUT, SP(@2), $3); }
  | optioned RETRY    expr { $$ = parse_build_clause(ctx, $1, CLAUSE_RETRY, SP(@2), $3); }
  | optioned BACKOFF  expr { $$ = parse_build_clause(ctx, $1, CLAUSE_BACKOFF, SP(@2), $3); }
  | optioned EVERY    expr { $$ = parse_build_clause(ctx, $1, CLAUSE_EVERY, SP(@2), $3); }
  | optioned FROM     expr { $$ = parse_build_clause(ctx, $1, CLAUSE_FROM, SP(@2), $3); }
  | optioned RECHECK  expr { $$ = parse_build_clause(ctx, $1, CLAUSE_RECHECK, SP(@2), $3); }
  ;


if_stmt:
    IF expr block_nl                { $$ = parse_build_if(ctx, $2, $3, NULL, SP(@$)); }
  | IF expr block_nl ELSE block     { $$ = parse_build_if(ctx, $2, $3, $5, SP(@$)); }
  | IF expr block_nl ELSE if_stmt   { $$ = parse_build_if(ctx, $2, $3, $5, SP(@$)); }
  ;

channels:
    chan                            { $$ = parse_build_push(ctx, parse_build_seq(ctx, AST_NOTIFY, @1), $1.n); }
  | channels COMMA chan               { $$ = parse_build_push(ctx, $1, $3.n); }
  ;

chan:
    IDENT                           { $$ = parse_build_ident(ctx, $1, @1); }
  | chan DOT IDENT                  { $$ = parse_build_member(ctx, $1, $3, @3, false, @$); }
  ;

/* notify's interval is followed by the message, so it is a primary or a dotted path: `every 10m`,
 * `every cfg.interval`, `every (a * 2)`. */
every_value:
    atom
  | IDENT                           { $$ = parse_build_ident(ctx, $1, @1); }
  | INT                             { $$ = parse_build_leaf(ctx, $1); }
  | FLOAT                           { $$ = parse_build_leaf(ctx, $1); }
  | DURATION                        { $$ = parse_build_leaf(ctx, $1); }
  | TRUE                            { $$ = parse_build_bool(ctx, true, SP(@1)); }
  | FALSE                           { $$ = parse_build_bool(ctx, false, SP(@1)); }
  | NULL_KW                         { $$ = parse_build_leaf(ctx, parse_build_new(ctx, AST_NULL_LIT, SP(@1))); }
  | string
  | every_value DOT IDENT           { $$ = parse_build_member(ctx, $1, $3, @3, false, @$); }
  | every_value SAFE_DOT IDENT      { $$ = parse_build_member(ctx, $1, $3, @3, true, @$); }
  ;

expr:
    IDENT ARROW expr                { $$ = parse_build_lambda(ctx, $1, $3, SP(@$)); }
  | expr OR expr                    { $$ = parse_build_binary(ctx, OP_OR, $1, $3, @$); }
  | expr AND expr                   { $$ = parse_build_binary(ctx, OP_AND, $1, $3, @$); }
  | NOT expr                        { $$ = parse_build_unary(ctx, OP_NOT, $2, SP(@$)); }
  | expr EQ expr                    { $$ = parse_build_binary(ctx, OP_EQ, $1, $3, @$); }
  | expr NE expr                    { $$ = parse_build_binary(ctx, OP_NE, $1, $3, @$); }
  | expr LT expr                   { $$ = parse_build_binary(ctx, OP_LT, $1, $3, @$); }
  | expr LE expr                    { $$ = parse_build_binary(ctx, OP_LE, $1, $3, @$); }
  | expr GT expr                   { $$ = parse_build_binary(ctx, OP_GT, $1, $3, @$); }
  | expr GE expr                    { $$ = parse_build_binary(ctx, OP_GE, $1, $3, @$); }
  | expr IN expr                    { $$ = parse_build_binary(ctx, OP_IN, $1, $3, @$); }
  | expr COALESCE expr              { $$ = parse_build_binary(ctx, OP_COALESCE, $1, $3, @$); }
  | expr PLUS expr                   { $$ = parse_build_binary(ctx, OP_ADD, $1, $3, @$); }
  | expr MINUS expr                   { $$ = parse_build_binary(ctx, OP_SUB, $1, $3, @$); }
  | expr STAR expr                   { $$ = parse_build_binary(ctx, OP_MUL, $1, $3, @$); }
  | expr SLASH expr                   { $$ = parse_build_binary(ctx, OP_DIV, $1, $3, @$); }
  | expr PERCENT expr                   { $$ = parse_build_binary(ctx, OP_MOD, $1, $3, @$); }
  | MINUS expr %prec UMINUS           { $$ = parse_build_unary(ctx, OP_NEG, $2, SP(@$)); }
  /* The primaries and postfix operators are expr's own rules (their precedence above), so that
   * an identifier or a literal is one reduction; the rarer primaries are `atom`s. */
  | expr DOT IDENT                  { $$ = parse_build_member(ctx, $1, $3, @3, false, @$); }
  | expr SAFE_DOT IDENT             { $$ = parse_build_member(ctx, $1, $3, @3, true, @$); }
  | expr LBRACKET expr RBRACKET               { $$ = parse_build_index(ctx, $1, $3, false, SP(@$)); }
  | expr SAFE_LBRACKET expr RBRACKET          { $$ = parse_build_index(ctx, $1, $3, true, SP(@$)); }
  | expr LPAREN RPAREN              { $$ = parse_build_call(ctx, $1, parse_build_seq(ctx, AST_CALL, @2), @$); }
  | expr LPAREN arglist RPAREN      { $$ = parse_build_call(ctx, $1, $3, @$); }
  | expr LPAREN arglist COMMA RPAREN          { $$ = parse_build_call(ctx, $1, $3, @$); }
  | IDENT                           { $$ = parse_build_ident(ctx, $1, @1); }
  | INT                             { $$ = parse_build_leaf(ctx, $1); }
  | FLOAT                           { $$ = parse_build_leaf(ctx, $1); }
  | DURATION                        { $$ = parse_build_leaf(ctx, $1); }
  | str_parts STR_END               { $$ = parse_str_finish(ctx, $1, SP(@$)); }
  | STR_BEGIN STR_TEXT STR_END      { $$ = parse_str_finish(ctx, parse_str_text(ctx, parse_str_new(ctx, $1), $2, SP(@2)), SP(@$)); }
  | STR                             { $$ = parse_str_plain(ctx, $1, @$); }
  | TRUE                            { $$ = parse_build_bool(ctx, true, SP(@1)); }
  | FALSE                           { $$ = parse_build_bool(ctx, false, SP(@1)); }
  | NULL_KW                         { $$ = parse_build_leaf(ctx, parse_build_new(ctx, AST_NULL_LIT, SP(@1))); }
  | atom
  ;

atom:
    LPAREN expr RPAREN                    { $$ = parse_build_paren(ctx, $2, SP(@$)); }
  | IF_EXPR cond_tail               { $$ = parse_build_cond_span($2, SP(@$)); }
  | LBRACKET RBRACKET                         { $$ = parse_build_close(ctx, parse_build_seq(ctx, AST_LIST, @$), @$); }
  | LBRACKET list_items RBRACKET              { $$ = parse_build_close(ctx, $2, @$); }
  | LBRACKET list_items COMMA RBRACKET          { $$ = parse_build_close(ctx, $2, @$); }
  | LBRACE RBRACE                         { $$ = parse_build_close(ctx, parse_build_seq(ctx, AST_OBJECT, @$), @$); }
  | LBRACE pairs RBRACE                   { $$ = parse_build_close(ctx, $2, @$); }
  | LBRACE pairs NEWLINE RBRACE           { $$ = parse_build_close(ctx, $2, @$); }
  | LBRACE pairs COMMA RBRACE               { $$ = parse_build_close(ctx, $2, @$); }
  ;

/* A conditional expression after its 'if': `COND { A } else { B }`, `else if` chaining. An arm may
 * itself be a conditional, whose 'if' the scanner reads as a statement's (it follows '{'). */
cond_tail:
    expr cond_arm                             { $$ = parse_build_cond_no_else(ctx, $1, $2, SP(@$)); }
  | expr cond_arm ELSE cond_arm               { $$ = parse_build_cond(ctx, $1, $2, $4, SP(@$)); }
  | expr cond_arm ELSE IF cond_tail           { $$ = parse_build_cond(ctx, $1, $2, parse_build_cond_span($5, ast_span_join(SP(@4), SP(@5))), SP(@$)); }
  ;

cond_arm:
    LBRACE expr RBRACE                        { $$ = $2; }
  | LBRACE expr NEWLINE RBRACE                { $$ = $2; }
  | LBRACE IF cond_tail RBRACE                { $$ = parse_build_cond_span($3, ast_span_join(SP(@2), SP(@3))); }
  | LBRACE IF cond_tail NEWLINE RBRACE        { $$ = parse_build_cond_span($3, ast_span_join(SP(@2), SP(@3))); }
  ;

list_items:
    expr                            { $$ = parse_build_seq_push(ctx, parse_build_seq(ctx, AST_LIST, @1), $1); }
  | list_items COMMA expr             { $$ = parse_build_seq_push(ctx, $1, $3); }
  ;

pairs:
    pair                            { $$ = parse_build_seq_push(ctx, parse_build_seq(ctx, AST_OBJECT, @1), $1); }
  | pairs COMMA pair                  { $$ = parse_build_seq_push(ctx, $1, $3); }
  | pairs NEWLINE pair              { $$ = parse_build_seq_push(ctx, $1, $3); }
  ;

pair:
    key COLON expr                    { $$ = parse_build_pair(ctx, &$1, (xnode){0}, $3, SP(@$)); }
  | string COLON expr                 { $$ = parse_build_pair(ctx, NULL, $1, $3, SP(@$)); }
  | LPAREN expr RPAREN COLON expr           { $$ = parse_build_pair(ctx, NULL, parse_build_paren(ctx, $2, ast_span_join(SP(@1), SP(@3))), $5, SP(@$)); }
  ;

/* A call's arguments (the call rules take the empty list and a trailing comma). */
arglist:
    expr                            { $$ = parse_build_args_first(ctx, NULL, @1, $1, @$); }
  | key COLON expr                  { $$ = parse_build_args_first(ctx, &$1, @1, $3, @$); }
  | arglist COMMA expr              { $$ = parse_build_args_add(ctx, $1, NULL, @3, $3, @3); }
  | arglist COMMA key COLON expr    { $$ = parse_build_args_add(ctx, $1, &$3, @3, $5, parse_loc_join(@3, @5)); }
  ;

key:
    IDENT | RUNBOOK | PARAM | LET | IMPORT | AS | PROC | STEP | PARALLEL | FOR | IN | IF | ELSE
  | GATE | APPROVE | FROM | WAIT | UNTIL | EVERY | TIMEOUT | RETRY | BACKOFF | RECHECK | ASSERT | EXPECT
  | NOTIFY | ABORT | ON | FAILURE | FINALLY | RETURN | TRUE | FALSE | NULL_KW | AND | OR | NOT | IF_EXPR
  ;

string:
    str_parts STR_END               { $$ = parse_str_finish(ctx, $1, SP(@$)); }
  | STR_BEGIN STR_TEXT STR_END      { $$ = parse_str_finish(ctx, parse_str_text(ctx, parse_str_new(ctx, $1), $2, SP(@2)), SP(@$)); }
  | STR                             { $$ = parse_str_plain(ctx, $1, @$); }
  ;

str_parts:
    STR_BEGIN                                   { $$ = parse_str_new(ctx, $1); }
  | STR_BEGIN STR_TEXT                          { $$ = parse_str_text(ctx, parse_str_new(ctx, $1), $2, SP(@2)); }
  | str_parts STR_TEXT                          { $$ = parse_str_text(ctx, $1, $2, SP(@2)); }
  | str_parts STR_INDENT                        { $$ = parse_str_indent(ctx, $1, $2, SP(@2)); }
  | str_parts INTERP_BEGIN expr INTERP_END      { $$ = parse_str_expr(ctx, $1, $3); }
  | str_parts INTERP_BEGIN error INTERP_END     { $$ = $1; }
  ;

%%

/* Returns true when the symbol is a keyword (declared in one run, 'runbook' to 'not'). */
static bool sym_keyword(yysymbol_kind_t s) { return s >= YYSYMBOL_RUNBOOK && s <= YYSYMBOL_NOT; }
_Static_assert(YYSYMBOL_NOT - YYSYMBOL_RUNBOOK + 1 == PSYM_KEYWORDS, "keyword tokens are declared in one run");

/* Returns what the grammar symbol is (PSYM_* flags), for wording syntax errors. */
static unsigned sym_kind_flags(yysymbol_kind_t s) {
  switch (s) {
  case YYSYMBOL_IDENT: case YYSYMBOL_INT: case YYSYMBOL_FLOAT: case YYSYMBOL_DURATION:
    return PSYM_EXPR | PSYM_LEXEME;
  case YYSYMBOL_STR: return PSYM_EXPR | PSYM_PLAIN_STR;
  case YYSYMBOL_STR_BEGIN: case YYSYMBOL_TRUE: case YYSYMBOL_FALSE: case YYSYMBOL_NULL_KW:
  case YYSYMBOL_NOT: case YYSYMBOL_LBRACE: case YYSYMBOL_IF_EXPR:
    return PSYM_EXPR | (s == YYSYMBOL_LBRACE ? PSYM_LBRACE : 0);
  case YYSYMBOL_MINUS: case YYSYMBOL_LPAREN: case YYSYMBOL_LBRACKET:
    return PSYM_EXPR | PSYM_INFIX;
  case YYSYMBOL_EQ: case YYSYMBOL_NE: case YYSYMBOL_LT: case YYSYMBOL_LE: case YYSYMBOL_GT:
  case YYSYMBOL_GE: case YYSYMBOL_IN:
    return PSYM_COMPARE | PSYM_INFIX;
  case YYSYMBOL_PLUS: case YYSYMBOL_STAR: case YYSYMBOL_SLASH: case YYSYMBOL_PERCENT: case YYSYMBOL_SAFE_LBRACKET:
  case YYSYMBOL_AND: case YYSYMBOL_OR: case YYSYMBOL_COALESCE: case YYSYMBOL_DOT: case YYSYMBOL_SAFE_DOT:
    return PSYM_INFIX;
  case YYSYMBOL_LET: case YYSYMBOL_STEP: case YYSYMBOL_GATE: case YYSYMBOL_APPROVE: case YYSYMBOL_WAIT:
  case YYSYMBOL_PARALLEL: case YYSYMBOL_FOR: case YYSYMBOL_IF: case YYSYMBOL_ASSERT: case YYSYMBOL_EXPECT:
  case YYSYMBOL_NOTIFY: case YYSYMBOL_ABORT: case YYSYMBOL_ON: case YYSYMBOL_FINALLY: case YYSYMBOL_RETURN:
  case YYSYMBOL_ELSE:
    return PSYM_STMT;
  case YYSYMBOL_RUNBOOK: case YYSYMBOL_PARAM: case YYSYMBOL_IMPORT: case YYSYMBOL_PROC:
    return PSYM_DECL;
  case YYSYMBOL_YYEOF: return PSYM_END | PSYM_ENDS_RECOVERY;
  case YYSYMBOL_ARROW: return PSYM_ARROW | PSYM_INFIX;
  case YYSYMBOL_SEMI: return PSYM_SEMI | PSYM_ENDS_RECOVERY;
  case YYSYMBOL_YYUNDEF: return PSYM_UNDEF;
  case YYSYMBOL_NEWLINE: return PSYM_NEWLINE | PSYM_ENDS_RECOVERY;
  case YYSYMBOL_RBRACE: case YYSYMBOL_INTERP_END: return PSYM_ENDS_RECOVERY;
  case YYSYMBOL_ASSIGN: return PSYM_ASSIGN;
  default: return 0;
  }
}

/* Returns what the grammar symbol is (PSYM_* flags). */
static unsigned sym_flags(yysymbol_kind_t s) { return sym_kind_flags(s) | (sym_keyword(s) ? PSYM_KEYWORD : 0); }

/* Returns the opener that the symbol closes (a parse_opener), or -1. */
static int sym_closes(yysymbol_kind_t s) {
  switch (s) {
  case YYSYMBOL_RPAREN: return OPEN_PAREN;
  case YYSYMBOL_RBRACKET: return OPEN_BRACKET;
  case YYSYMBOL_RBRACE: return OPEN_BRACE;
  case YYSYMBOL_INTERP_END: return OPEN_INTERP;
  default: return -1;
  }
}

/* Returns the symbol as parse_error.c sees it. */
static perr_sym sym_info(yysymbol_kind_t s) {
  /* both read 'if'; both read 'string' */
  const char *name = s == YYSYMBOL_IF_EXPR ? yysymbol_name(YYSYMBOL_IF)
                     : s == YYSYMBOL_STR   ? yysymbol_name(YYSYMBOL_STR_BEGIN)
                                           : yysymbol_name(s);
  return (perr_sym){name, sym_flags(s), sym_closes(s)};
}

/* Returns where the error at token `s` lies: a plain "…" string (STR) at its opening quote, where the
 * STR_BEGIN of any other string stands. */
static rbk_span error_span(const parse_ctx *ctx, yysymbol_kind_t s, parse_loc at) {
  if (s == YYSYMBOL_STR) {
    at.end_line = at.line;
    at.end_col = at.col;
  }
  return parse_span(ctx, at);
}

/* Reports a syntax error: what was found, what was expected, and where an unclosed bracket opened. */
static int yyreport_syntax_error(const yypcontext_t *pc, parse_ctx *ctx) {
  yysymbol_kind_t expected[YYNTOKENS];
  perr_sym info[YYNTOKENS];
  int n = yypcontext_expected_tokens(pc, expected, YYNTOKENS);
  for (int i = 0; i < n; i++) info[i] = sym_info(expected[i]);
  yysymbol_kind_t got = yypcontext_token(pc);
  parse_error_syntax(ctx, error_span(ctx, got, *yypcontext_location(pc)), sym_info(got), info, n < 0 ? 0 : n);
  return 0;
}
