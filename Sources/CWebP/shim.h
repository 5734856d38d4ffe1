#ifndef COMFYTOP_CWEBP_SHIM_H
#define COMFYTOP_CWEBP_SHIM_H
// libwebp (Debian: libwebp-dev): the simple decode/encode API. Buffers are released with WebPFree.
#include <webp/decode.h>
#include <webp/encode.h>
#endif
