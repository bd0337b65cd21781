// Open MPI from Debian's libopenmpi-dev (pkg-config ompi-c). Swift cannot import the
// macros MPI_COMM_WORLD, MPI_BYTE and MPI_STATUS_IGNORE: each is wrapped in a function.
#include <mpi.h>

static inline MPI_Comm corridor_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype corridor_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Status *corridor_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int corridor_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
