/* eval.c: the bytecode interpreter of compiled expressions (see eval.h). It only reads the
 * customer's state; it never changes it. What each operator and function computes is expr.h's
 * (generated from lang/expr.def), the same functions the constant folding calls; this file adds
 * only how the leaves read the customer. */
#include "eval.h"

double rt_eval_code(const RtIns *ins, int len, const RtCtx *c, double *stack)
{
    double *sp = stack; /* sp points one past the top */
    for (const RtIns *end = ins + len; ins < end; ins++) {
        switch ((RtOp)ins->op) {
        case OP_CONST: *sp++ = ins->k; break;
        case OP_TIME: *sp++ = c->time; break;
        case OP_TRAIT: *sp++ = c->traits[ins->arg]; break;
        case OP_MOOD: *sp++ = rt_clamp_mood(c->curve + c->experience); break;
        case OP_STAGE: *sp++ = c->stage; break;
        case OP_PERSONA: *sp++ = c->persona; break;
        case OP_REVENUE: *sp++ = c->revenue; break;
        case OP_COST: *sp++ = c->cost; break;
        case OP_STATE: *sp++ = c->state[ins->arg]; break;
        case OP_TRUE: *sp++ = 1; break;
        case OP_FALSE: *sp++ = 0; break;
        case OP_VISITS: *sp++ = rt_visits(c, ins->arg); break;
        case OP_MET: *sp++ = c->met_entry[ins->arg]; break;
        case OP_MET_EVER: *sp++ = c->met_ever[ins->arg]; break;
#define PREFIX(name, spelling, token, prec, operand, result, value) \
        case OP_##name: sp[-1] = expr_op_##name(sp[-1]); break;
#define INFIX(name, spelling, token, prec, assoc, operand, result, value)           \
        case OP_##name: sp--; sp[-1] = expr_op_##name(sp[-1], sp[0]); break;       \
        case OP_##name##_K: sp[-1] = expr_op_##name(sp[-1], ins->k); break;        \
        case OP_K_##name: sp[-1] = expr_op_##name(ins->k, sp[-1]); break;
#define FUNC(name, spelling, lo, hi, cls, value) INTERPRET_FN_##cls(name)
#define INTERPRET_FN_PURE(name)                                                     \
        case OP_##name: sp -= ins->arg; sp[0] = expr_fn_##name(sp, ins->arg); sp++; break;
#define INTERPRET_FN_CUSTOMER(name) /* written above */
#include "expr.def"
        }
    }
    return sp[-1];
}
