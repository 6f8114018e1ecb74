/* PS/2 keyboard scancodes (set 1, as the i8042 controller translates
 * them) to the bytes a terminal would send: ASCII with Shift, Ctrl and
 * Caps Lock, CR for Enter, DEL for Backspace, ANSI escapes for the arrows.
 * Pure code, tested on the host. */
#ifndef CONSOLE_KEYBOARD_H
#define CONSOLE_KEYBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KBD_OUT_MAX 4 /* bytes one scancode can make */

typedef struct {
	bool shift_left, shift_right, ctrl_left, ctrl_right, caps;
	bool extended; /* after 0xe0 */
	unsigned skip; /* bytes of a 0xe1 (Pause) sequence still to come */
} kbd_t;

/* Feeds one byte from the controller; writes the bytes it makes to out
 * (at most KBD_OUT_MAX) and returns their count. */
size_t kbd_scancode(kbd_t *k, uint8_t code, char out[KBD_OUT_MAX]);

#endif
