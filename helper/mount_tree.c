/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder: being written (issue 7). */
typedef int mg_placeholder_mount_tree;
