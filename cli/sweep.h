/* sweep.h: the text of --sweep (cjm compare, cjm report): "PARAMETER=FROM..TO[/STEP]", as in
 * 'Consideration->Purchase=20%..60%/5' or 'Ad.reach=0..1' (docs/compare.md). Reading the text is
 * the command line's; what the parameter names in a journey, and which values it may take, is the
 * runtime's (cmp_set_sweep). */
#ifndef CJM_CLI_SWEEP_H
#define CJM_CLI_SWEEP_H

#include <stdbool.h>

#include "cjm.h"

typedef struct SweepText {
    CmpSweep sweep;   /* what the runtime takes; its strings point into `words` */
    char *words;      /* malloc'd */
} SweepText;

/* Reads `text` into s->sweep. False, with the reason in `err`, when it is not of the form above:
 * no '=', a parameter that is neither Name->Target nor Name.attribute, a range that does not read
 * as numbers, or one that does not go up in at most CMP_SWEEP_MAX_POINTS - 1 steps. A step
 * written without '%' after percentages is in percentage points (20%..60%/5 steps by 5%); without
 * a step there are ten. sweep_free() releases it either way. */
bool sweep_parse(SweepText *s, const char *text, Buf *err);
void sweep_free(SweepText *s);

#endif
