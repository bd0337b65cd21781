#ifndef CORRIDOR_COPENBLAS_SHIM_H
#define CORRIDOR_COPENBLAS_SHIM_H
// Debian installs OpenBLAS's headers in the multiarch folder openblas-pthread/, which the
// pkg-config file `openblas` puts on the include path.
#include <cblas.h>
#include <lapacke.h>

// `lapack_int` is a macro in lapacke.h, which Swift cannot import: name it as a type.
typedef lapack_int corridor_lapack_int;
#endif
