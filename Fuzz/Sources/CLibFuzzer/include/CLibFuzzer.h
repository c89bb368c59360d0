// libFuzzer's driver, for the fuzz targets' entry points (see FuzzSupport.runDriver).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
