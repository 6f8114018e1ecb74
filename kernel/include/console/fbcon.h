/* A text console drawn on a linear framebuffer with the built-in bitmap
 * font: 24 or 32 bits per pixel, any pitch, scrolls when full. Pure code:
 * the kernel draws its console with it, and the console service
 * (services/console) is built from the same source. */
#ifndef CONSOLE_FBCON_H
#define CONSOLE_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <rae/boot_info.h>
#include <rae/status.h>

typedef struct {
	uint8_t *pixels; /* virtual address of the first pixel */
	uint32_t width, height, pitch;
	uint8_t bytes_per_pixel; /* 3 or 4 */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
	uint32_t columns, rows;
	uint32_t cursor_x, cursor_y;
	uint32_t fg, bg; /* colours already packed for this framebuffer */
} fbcon_t;

/* The console kprintf draws on, once fbcon_init succeeded. */
extern fbcon_t fbcon_main;

/* Sets up `con` over the framebuffer `fb`, mapped at `pixels`, and clears it.
 * Fails with RAE_ERR_UNSUPPORTED for a non-RGB or 8/16-bpp mode and with
 * RAE_ERR_INVALID for inconsistent geometry (pitch too small, too small to
 * hold one character). */
rae_status_t fbcon_init(fbcon_t *con, const boot_framebuffer_t *fb, void *pixels);

/* Paints the whole framebuffer in the background colour; the cursor goes
 * to the top left. */
void fbcon_clear(fbcon_t *con);

/* Draws text at the cursor, handling \n, \r, \t and \b, scrolling as needed. */
void fbcon_write(fbcon_t *con, const char *s, size_t len);

/* Packs an 0xRRGGBB colour into this framebuffer's pixel format. */
uint32_t fbcon_pack_rgb(const fbcon_t *con, uint32_t rgb);

/* Whether kprintf should draw on fbcon_main. */
extern bool fbcon_active;

#endif
