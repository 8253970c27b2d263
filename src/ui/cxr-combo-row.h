/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cxr-combo-row.h: combo rows whose chosen value is never cut short.
 *
 * An AdwComboRow ellipsizes its value when its subtitle is long: the wrapping subtitle asks for the whole row, and
 * the value is left with "Neues Res…" in German. A row set up here shows its value whole and lets the subtitle wrap
 * in what is left.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* For rows whose model is a GtkStringList: the value and the popover's items as plain, unellipsized labels. */
void cxr_combo_row_show_whole_value (AdwComboRow *row);

G_END_DECLS
