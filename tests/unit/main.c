/* main.c: runs every unit-test file's tests (add a file's entry point below). */
#include "unit.h"

int unit_failures;
const char *unit_current;
bool unit_current_failed;

void unit_begin(const char *name)
{
    unit_current = name;
    unit_current_failed = false;
}

void unit_end(void)
{
    if (unit_current_failed) unit_failures++;
    else printf("ok %s\n", unit_current);
}

void unit_lang(void);
void unit_expr(void);
void unit_fmt(void);
void unit_arrivals(void);
void unit_runtime(void);
void unit_traits(void);
void unit_report(void);
void unit_compare(void);
void unit_kpi(void);
void unit_kpi_exact(void);
void unit_fit(void);
void unit_data(void);
void unit_rewrite(void);
void unit_sql(void);
void unit_score(void);
void unit_discover(void);

int main(void)
{
    unit_lang();
    unit_expr();
    unit_fmt();
    unit_arrivals();
    unit_runtime();
    unit_traits();
    unit_report();
    unit_compare();
    unit_kpi();
    unit_kpi_exact();
    unit_fit();
    unit_data();
    unit_rewrite();
    unit_sql();
    unit_score();
    unit_discover();
    return unit_failures ? 1 : 0;
}
