/* attribution.h: removal-effect attribution of conversions to channels (../shared/design/kpis.md,
 * "Per channel"; docs/semantics.md, "Customer figures in the exact analysis").
 *
 * Each channel some touchpoint uses is taken out in turn, as `cjm compare --removal channels`
 * does (compare.h: cmp_set_removals), and the journey without it is run with the same options and seed
 * (common random numbers) or solved exactly. With drop_c = conversion(journey) - conversion(journey
 * without c), clamped at 0, the channel is credited
 *     attr_removal_c = conversions x drop_c / sum of the drops
 * (0 for every channel when no removal lowers conversion). */
#ifndef CJM_RT_ATTRIBUTION_H
#define CJM_RT_ATTRIBUTION_H

#include <stdbool.h>

#include "compare.h"
#include "diag.h"
#include "model.h"
#include "result.h"

/* Sets r->channels[c].attr_removal for every channel some touchpoint uses (the others stay NaN),
 * from the run `r` of `rm` made with the same options `o` (its conversions are the ones shared
 * out). False when the runs were cancelled (o->sim.cancel) or, with o->exact, after an error
 * reported through `d`; r is then unchanged. */
bool rt_attribute_removal(const RtModel *rm, const CmpOptions *o, RtResult *r, Diag *d);

#endif
