#ifndef COMFYTOP_CTURBOJPEG_SHIM_H
#define COMFYTOP_CTURBOJPEG_SHIM_H
// libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev).
#include <stddef.h>
#include <turbojpeg.h>
#endif
