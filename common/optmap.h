/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MG_OPTMAP_H
#define MG_OPTMAP_H
#endif
