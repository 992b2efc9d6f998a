#include "lmm/core/error.h"
