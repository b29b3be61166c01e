/* bins.c: the log-scale bins of waits (fit.h): twelve per factor of ten from FIT_BIN_ORIGIN days,
 * the same formula sql.c gives a warehouse, so that a log read here and a query's rows bin alike. */
#include <math.h>

#include "fit.h"

int fit_bin_of(double days)
{
    if (!(days > 0)) return 0; /* zero, negative and NaN */
    double x = floor(12 * log10(days / FIT_BIN_ORIGIN) + 0.5);
    if (x < 0) return 0;
    if (x > FIT_BINS - 1) return FIT_BINS - 1;
    return (int)x;
}

/* Bin b holds 12 log10(t / origin) in [b - 0.5, b + 0.5); the first also holds everything below
 * (down to 0), the last everything above. */
double fit_bin_lo(int b)
{
    if (b <= 0) return 0;
    if (b > FIT_BINS - 1) b = FIT_BINS - 1;
    return FIT_BIN_ORIGIN * pow(10, (b - 0.5) / 12);
}

double fit_bin_hi(int b)
{
    if (b >= FIT_BINS - 1) return INFINITY;
    if (b < 0) b = 0;
    return FIT_BIN_ORIGIN * pow(10, (b + 0.5) / 12);
}
