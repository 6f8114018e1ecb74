/* Scancode set 1 to bytes (keyboard.h). A key's make code is its number; its
 * break code adds 0x80. */
#include "keyboard.h"

#define SC_BREAK       0x80
#define SC_EXTENDED    0xe0
#define SC_PAUSE       0xe1
#define SC_CTRL        0x1d
#define SC_SHIFT_LEFT  0x2a
#define SC_SHIFT_RIGHT 0x36
#define SC_CAPS        0x3a
#define SC_KEYS        0x3a

/* Unshifted and shifted bytes of the keys 0x00-0x39 (US layout); 0 for
 * keys that make nothing. */
static const char keys_plain[SC_KEYS] = {
    0,    0x1b, '1', '2', '3', '4', '5', '6', '7', '8', '9',  '0', '-', '=',  0x7f,
    '\t', 'q',  'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p',  '[', ']', '\r', 0,
    'a',  's',  'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0,   '\\', 'z',
    'x',  'c',  'v', 'b', 'n', 'm', ',', '.', '/', 0,   '*',  0,   ' ',
};
static const char keys_shift[SC_KEYS] = {
    0,    0x1b, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+',  0x7f,
    '\t', 'Q',  'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0,
    'A',  'S',  'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0,   '|',  'Z',
    'X',  'C',  'V', 'B', 'N', 'M', '<', '>', '?', 0,   '*', 0,   ' ',
};

/* Extended keys: the arrows as a terminal sends them, keypad Enter and /. */
static size_t kbd_extended(uint8_t key, char out[KBD_OUT_MAX])
{
	char final;
	switch (key) {
	case 0x48: final = 'A'; break; /* up */
	case 0x50: final = 'B'; break; /* down */
	case 0x4d: final = 'C'; break; /* right */
	case 0x4b: final = 'D'; break; /* left */
	case 0x1c: out[0] = '\r'; return 1;
	case 0x35: out[0] = '/'; return 1;
	default: return 0;
	}
	out[0] = 0x1b;
	out[1] = '[';
	out[2] = final;
	return 3;
}

size_t kbd_scancode(kbd_t *k, uint8_t code, char out[KBD_OUT_MAX])
{
	if (k->skip) {
		k->skip--;
		return 0;
	}
	if (code == SC_PAUSE) {
		k->skip = 5; /* e1 1d 45 e1 9d c5 */
		return 0;
	}
	if (code == SC_EXTENDED) {
		k->extended = true;
		return 0;
	}
	bool extended = k->extended;
	k->extended = false;
	bool down = !(code & SC_BREAK);
	uint8_t key = code & (uint8_t)~SC_BREAK;

	if (key == SC_CTRL) {
		if (extended)
			k->ctrl_right = down;
		else
			k->ctrl_left = down;
		return 0;
	}
	if (extended) {
		/* e0 2a / e0 36 are fake shifts around some keys: ignored. */
		return down ? kbd_extended(key, out) : 0;
	}
	if (key == SC_SHIFT_LEFT || key == SC_SHIFT_RIGHT) {
		if (key == SC_SHIFT_LEFT)
			k->shift_left = down;
		else
			k->shift_right = down;
		return 0;
	}
	if (key == SC_CAPS) {
		if (down)
			k->caps = !k->caps;
		return 0;
	}
	if (!down || key >= SC_KEYS)
		return 0;
	bool shift = k->shift_left || k->shift_right;
	char c = keys_plain[key];
	bool letter = c >= 'a' && c <= 'z';
	if (letter ? shift != k->caps : shift)
		c = keys_shift[key];
	if (!c)
		return 0;
	if (k->ctrl_left || k->ctrl_right) {
		if (letter)
			c = (char)(keys_plain[key] & 0x1f); /* Ctrl-A .. Ctrl-Z */
		else if (c == '[' || c == '\\' || c == ']')
			c = (char)(c & 0x1f);
	}
	out[0] = c;
	return 1;
}
