/* Kernel tests of the framebuffer console drawing into memory buffers of
 * both supported depths, with pitches wider than the visible line. */
#include <console/fbcon.h>
#include <console/font.h>
#include <string.h>
#include <test/ktest.h>

#define TEST_W 40
#define TEST_H 36
static uint8_t test_pixels[TEST_H * (TEST_W * 4 + 28)];

static uint32_t pixel_at(const fbcon_t *con, uint32_t x, uint32_t y)
{
	const uint8_t *p =
	    con->pixels + (uint64_t)y * con->pitch + (uint64_t)x * con->bytes_per_pixel;
	uint32_t v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	if (con->bytes_per_pixel == 4)
		v |= (uint32_t)p[3] << 24;
	return v;
}

/* Checks that cell (col,row) shows character c exactly as the font has it. */
static bool cell_matches(const fbcon_t *con, uint32_t col, uint32_t row, unsigned char c)
{
	const font_t *f = &console_font;
	const uint8_t *bits =
	    f->glyphs + (size_t)f->code_to_glyph[c] * f->height * f->bytes_per_row;
	for (uint32_t y = 0; y < f->height; y++) {
		for (uint32_t x = 0; x < f->width; x++) {
			bool on = bits[y * f->bytes_per_row + x / 8] & (0x80 >> (x % 8));
			uint32_t px = pixel_at(con, col * f->width + x, row * f->height + y);
			if (px != (on ? con->fg : con->bg))
				return false;
		}
	}
	return true;
}

static void fbcon_depth_case(ktest_t *t, uint8_t bpp, uint32_t pitch)
{
	fbcon_t con;
	boot_framebuffer_t fb = {
	    .width = TEST_W,
	    .height = TEST_H,
	    .pitch = pitch,
	    .bpp = bpp,
	    .type = BOOT_FB_RGB,
	    .red_pos = 16,
	    .red_size = 8,
	    .green_pos = 8,
	    .green_size = 8,
	    .blue_pos = 0,
	    .blue_size = 8,
	};
	memset(test_pixels, 0x5a, sizeof(test_pixels));
	if (!KTEST_EXPECT_EQ(t, fbcon_init(&con, &fb, test_pixels), RAE_OK))
		return;
	KTEST_EXPECT_EQ(t, con.columns, TEST_W / console_font.width);
	KTEST_EXPECT_EQ(t, con.rows, TEST_H / console_font.height);
	/* The padding past the visible line must stay untouched. */
	KTEST_EXPECT_EQ(t, test_pixels[pitch - 1], 0x5a);

	fbcon_write(&con, "Ab", 2);
	KTEST_EXPECT(t, cell_matches(&con, 0, 0, 'A'));
	KTEST_EXPECT(t, cell_matches(&con, 1, 0, 'b'));
	KTEST_EXPECT(t, !cell_matches(&con, 0, 0, 'B'));

	/* Fill past the last row: the screen scrolls, 'A' moves up and out. */
	fbcon_write(&con, "\nxy\nz", 5);
	KTEST_EXPECT(t, cell_matches(&con, 0, 0, 'x'));
	KTEST_EXPECT(t, cell_matches(&con, 1, 0, 'y'));
	KTEST_EXPECT(t, cell_matches(&con, 0, 1, 'z'));
	KTEST_EXPECT_EQ(t, test_pixels[pitch - 1], 0x5a);
}

KTEST(fbcon_draws_32bpp)
{
	fbcon_depth_case(t, 32, TEST_W * 4 + 12);
}

KTEST(fbcon_draws_24bpp)
{
	fbcon_depth_case(t, 24, TEST_W * 3 + 7);
}

KTEST(fbcon_rejects_bad_modes)
{
	fbcon_t con;
	boot_framebuffer_t fb = {
	    .width = TEST_W, .height = TEST_H, .pitch = TEST_W * 4, .bpp = 16, .type = BOOT_FB_RGB};
	KTEST_EXPECT_EQ(t, fbcon_init(&con, &fb, test_pixels), RAE_ERR_UNSUPPORTED);
	fb.bpp = 32;
	fb.pitch = TEST_W * 4 - 1;
	KTEST_EXPECT_EQ(t, fbcon_init(&con, &fb, test_pixels), RAE_ERR_INVALID);
	fb.pitch = TEST_W * 4;
	fb.type = BOOT_FB_EGA_TEXT;
	KTEST_EXPECT_EQ(t, fbcon_init(&con, &fb, test_pixels), RAE_ERR_UNSUPPORTED);
}
