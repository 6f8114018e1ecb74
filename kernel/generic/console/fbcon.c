/* Framebuffer text console: draws the built-in font cell by cell on a 24 or
 * 32 bpp linear framebuffer of any pitch and scrolls by moving scan lines. */
#include <console/fbcon.h>
#include <console/font.h>
#include <string.h>

#define FBCON_FG_RGB 0xd8d8d8u
#define FBCON_BG_RGB 0x101418u

fbcon_t fbcon_main;
bool fbcon_active;

static uint32_t channel(uint32_t rgb, unsigned shift, uint8_t pos, uint8_t size)
{
	uint32_t v = (rgb >> shift) & 0xff;
	if (size == 0)
		return 0;
	if (size < 8)
		v >>= 8 - size;
	return v << pos;
}

uint32_t fbcon_pack_rgb(const fbcon_t *con, uint32_t rgb)
{
	return channel(rgb, 16, con->red_pos, con->red_size) |
	       channel(rgb, 8, con->green_pos, con->green_size) |
	       channel(rgb, 0, con->blue_pos, con->blue_size);
}

rae_status_t fbcon_init(fbcon_t *con, const boot_framebuffer_t *fb, void *pixels)
{
	if (fb->type != BOOT_FB_RGB || (fb->bpp != 24 && fb->bpp != 32))
		return RAE_ERR_UNSUPPORTED;
	uint32_t bpp = fb->bpp / 8u;
	if (!pixels || fb->width < console_font.width || fb->height < console_font.height ||
	    fb->pitch < (uint64_t)fb->width * bpp)
		return RAE_ERR_INVALID;
	if (fb->red_pos + fb->red_size > fb->bpp || fb->green_pos + fb->green_size > fb->bpp ||
	    fb->blue_pos + fb->blue_size > fb->bpp)
		return RAE_ERR_INVALID;

	*con = (fbcon_t){
	    .pixels = pixels,
	    .width = fb->width,
	    .height = fb->height,
	    .pitch = fb->pitch,
	    .bytes_per_pixel = (uint8_t)bpp,
	    .red_pos = fb->red_pos,
	    .red_size = fb->red_size,
	    .green_pos = fb->green_pos,
	    .green_size = fb->green_size,
	    .blue_pos = fb->blue_pos,
	    .blue_size = fb->blue_size,
	    .columns = fb->width / console_font.width,
	    .rows = fb->height / console_font.height,
	};
	con->fg = fbcon_pack_rgb(con, FBCON_FG_RGB);
	con->bg = fbcon_pack_rgb(con, FBCON_BG_RGB);
	fbcon_clear(con);
	return RAE_OK;
}

static void fbcon_put_pixel(uint8_t *p, uint8_t bpp, uint32_t color)
{
	if (bpp == 4) {
		*(volatile uint32_t *)p = color;
		return;
	}
	p[0] = (uint8_t)color;
	p[1] = (uint8_t)(color >> 8);
	p[2] = (uint8_t)(color >> 16);
}

/* n pixels of `color` from p on. Four-byte pixels go two to a 64-bit
 * store: a whole screen is 0.4 million stores rather than 3 million byte
 * writes (35 million instructions at boot, in the kernel and again in the
 * console service). */
static void fbcon_fill(const fbcon_t *con, uint8_t *p, uint32_t n, uint32_t color)
{
	if (con->bytes_per_pixel != 4) {
		for (uint32_t x = 0; x < n; x++)
			fbcon_put_pixel(p + (uint64_t)x * con->bytes_per_pixel,
					con->bytes_per_pixel, color);
		return;
	}
	if (((uintptr_t)p & 7) && n > 0) {
		*(volatile uint32_t *)p = color;
		p += 4;
		n--;
	}
	volatile uint64_t *q = (volatile uint64_t *)p;
	uint64_t two = ((uint64_t)color << 32) | color;
	for (uint32_t i = 0; i < n / 2; i++)
		q[i] = two;
	if (n & 1)
		*(volatile uint32_t *)(p + (uint64_t)(n - 1) * 4) = color;
}

void fbcon_clear(fbcon_t *con)
{
	for (uint32_t y = 0; y < con->height; y++)
		fbcon_fill(con, con->pixels + (uint64_t)y * con->pitch, con->width, con->bg);
	con->cursor_x = 0;
	con->cursor_y = 0;
}

static void fbcon_draw_glyph(fbcon_t *con, uint32_t col, uint32_t row, unsigned char c)
{
	const font_t *f = &console_font;
	uint16_t glyph = f->code_to_glyph[c];
	const uint8_t *bits = f->glyphs + (size_t)glyph * f->height * f->bytes_per_row;
	uint8_t *origin = con->pixels + (uint64_t)row * f->height * con->pitch +
			  (uint64_t)col * f->width * con->bytes_per_pixel;

	for (uint32_t y = 0; y < f->height; y++) {
		const uint8_t *line_bits = bits + y * f->bytes_per_row;
		uint8_t *p = origin + (uint64_t)y * con->pitch;
		for (uint32_t x = 0; x < f->width; x++) {
			bool on = line_bits[x / 8] & (0x80 >> (x % 8));
			fbcon_put_pixel(p + (uint64_t)x * con->bytes_per_pixel,
					con->bytes_per_pixel, on ? con->fg : con->bg);
		}
	}
}

static void fbcon_clear_row(fbcon_t *con, uint32_t row)
{
	uint32_t h = console_font.height;
	for (uint32_t y = row * h; y < (row + 1) * h; y++)
		fbcon_fill(con, con->pixels + (uint64_t)y * con->pitch,
			   con->columns * console_font.width, con->bg);
}

static void fbcon_scroll(fbcon_t *con)
{
	uint32_t h = console_font.height;
	uint64_t row_bytes = (uint64_t)h * con->pitch;
	memmove(con->pixels, con->pixels + row_bytes, row_bytes * (con->rows - 1));
	fbcon_clear_row(con, con->rows - 1);
}

static void fbcon_newline(fbcon_t *con)
{
	con->cursor_x = 0;
	if (con->cursor_y + 1 < con->rows)
		con->cursor_y++;
	else
		fbcon_scroll(con);
}

void fbcon_write(fbcon_t *con, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n': fbcon_newline(con); break;
		case '\r': con->cursor_x = 0; break;
		case '\b':
			if (con->cursor_x > 0)
				con->cursor_x--;
			break;
		case '\t': do { fbcon_write(con, " ", 1);
			} while (con->cursor_x % 8 != 0);
			break;
		default:
			if (con->cursor_x >= con->columns)
				fbcon_newline(con);
			fbcon_draw_glyph(con, con->cursor_x, con->cursor_y, c);
			con->cursor_x++;
			break;
		}
	}
}
