/* The console's bitmap font, converted at build time from a PSF font of
 * Debian's console-setup package (tools/build/psf2c.py). */
#ifndef CONSOLE_FONT_H
#define CONSOLE_FONT_H

#include <stdint.h>

typedef struct {
	uint32_t width, height;
	uint32_t bytes_per_row;
	uint32_t glyph_count;
	const uint8_t *glyphs;         /* glyph_count * height * bytes_per_row, MSB left */
	const uint16_t *code_to_glyph; /* 256 entries: Latin-1 code point -> glyph */
} font_t;

extern const font_t console_font;

#endif
