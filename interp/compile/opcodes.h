/* opcodes.h — the bytecode's instruction set, once, as an X-macro list (as jq's opcode_list.h):
 * X(NAME, "what it does; a and b are the operands"). The compiler emits them (compile_*.c), the
 * VM executes them (interp/vm/vm.c), the code dump names them; vm_insn (compile.h) carries one.
 */
#ifndef RBK_OPCODES_H
#define RBK_OPCODES_H

/* Opcodes, once: X(NAME, "what it does; a and b are the operands"). */
#define RBK_OPCODES(X)                                                                          \
  X(CONST, "push consts[a]")                                                                    \
  X(POP, "drop the top value")                                                                  \
  X(LOAD, "push local a (error when unset)")                                                    \
  X(STORE, "pop into local a")                                                                  \
  X(GLOAD, "push global b of unit a (error when its let has not run)")                          \
  X(GSTORE, "pop into global b of unit a")                                                      \
  X(RUN, "push the run object")                                                                 \
  X(RUN_FIELD, "push field a of the run object (RBK_RUN_FIELDS order)")                        \
  X(LIST, "pop a values, push them as a list")                                                  \
  X(OBJECT, "pop a key/value pairs, push an object (keys must be strings)")                     \
  X(MEMBER, "pop an object, push its key consts[a]; b = 1: null-safe (?.)")                     \
  X(INDEX, "pop index and container, push the element; a = 1: null-safe (?[)")                 \
  X(UNARY, "pop a value, push op a applied to it")                                              \
  X(BINARY, "pop two values, push op a applied to them")                                        \
  X(CMP, "like BINARY, also keeping both operands for check messages")                          \
  X(INTERP, "pop a parts, push them joined as text (a secret part makes a secret)")             \
  X(JUMP, "jump to a")                                                                          \
  X(JUMP_FALSE, "pop a bool; jump to a when false")                                             \
  X(AND, "top is a bool: false → jump to a keeping it; true → pop it")                          \
  X(OR, "top is a bool: true → jump to a keeping it; false → pop it")                           \
  X(COALESCE, "top is not null → jump to a keeping it; null → pop it")                          \
  X(TO_BOOL, "fail unless the top is a bool")                                                   \
  X(LAMBDA, "push a lambda for lambdas[a], capturing the frame's locals")                       \
  X(LAMBDA_RET, "end of a lambda body: its value is the top")                                   \
  X(CALL, "call calls[a]: pops receiver (methods) and arguments, pushes the result")            \
  X(RET, "pop the return value, leave the proc")                                                \
  X(RET_NULL, "leave the proc (or unit initialiser) returning null")                            \
  X(PARAM_DEFAULT, "local a is set (argument given) → jump to b")                               \
  X(BIND_PARAM, "bind main param a from the config into global b; given → jump to next op+1")  \
  X(IMPORT, "run the initialiser of unit a once")                                               \
  X(FOR_START, "pop a list; push the loop state")                                              \
  X(FOR_NEXT, "next element into local a and context [i], or drop the state and jump to b")     \
  X(PARALLEL, "pop max; run branches[a] as child tasks and wait for them")                      \
  X(PARFOR, "pop max and a list; run branches[a] once per element, wait (collect: push values)") \
  X(TASK_END, "a branch or ticker is done")                                                     \
  X(ENTER, "pop the operands of regions[a], open it (events, resume skip)")                     \
  X(ATTEMPT, "start an attempt of regions[a] (arm its timer)")                                  \
  X(BODY_OK, "the body of regions[a] passed")                                                   \
  X(WAITU_TEST, "pop the condition of regions[a] (wait until): true → passed; false → poll")    \
  X(HANDLER_END, "an on failure / finally part of regions[a] ended")                            \
  X(EXIT, "close regions[a]: end event, re-raise its pending error")                            \
  X(WAIT, "pop a duration, sleep (b = 1: silently, for tickers)")                               \
  X(APPROVE, "pop question, role, timeout; ask (approves[a])")                                  \
  X(CHECK, "pop the condition of checks[a]: true → jump to b; false → fall to the message")    \
  X(CHECK_FAIL, "pop the message (or null) of checks[a]: fail (assert) or warn (expect)")       \
  X(NOTIFY, "pop a channels and a message, send (b = 1: from a ticker)")                        \
  X(TICKER_START, "start tickers[a] (notify … every) until the block ends")                     \
  X(TICKER_STOP, "stop the newest ticker of this task")                                         \
  X(ABORT, "pop the reason, stop the plan as failed")                                          \
  X(STMT, "a statement outside any step begins (run.failed_step names it when it fails)")     \
  X(PARAM_TYPE, "the top value must suit the declared type of the proc's parameter a")

typedef enum {
#define X(name, doc) OPC_##name,
  RBK_OPCODES(X)
#undef X
  OPC__COUNT
} vm_opcode;

#endif
