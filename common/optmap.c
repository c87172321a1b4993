/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder: filled by the option-map work (session 3) */
#include "optmap.h"
