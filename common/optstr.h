/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MG_OPTSTR_H
#define MG_OPTSTR_H
#endif
