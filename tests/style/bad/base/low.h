/* low.h — a header that hands out a pointer without saying who owns it. */
#ifndef LOW_H
#define LOW_H
char *low_name(void);
#endif
