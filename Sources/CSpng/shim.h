#ifndef COMFYTOP_CSPNG_SHIM_H
#define COMFYTOP_CSPNG_SHIM_H
// libspng (Debian: libspng-dev). The encoder's buffer is malloc'd by libspng and released with free().
#include <stdlib.h>
#include <string.h>
#include <spng.h>
#endif
