/* The printf formatting engine behind kprintf and ksnprintf: parses a format
 * string and streams the result to a sink, without allocating. */
#include <lib/format.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum {
	FLAG_LEFT = 1u << 0,  /* '-' */
	FLAG_PLUS = 1u << 1,  /* '+' */
	FLAG_SPACE = 1u << 2, /* ' ' */
	FLAG_ALT = 1u << 3,   /* '#' */
	FLAG_ZERO = 1u << 4,  /* '0' */
};

typedef enum {
	LEN_NONE,
	LEN_HH,
	LEN_H,
	LEN_L,
	LEN_LL,
	LEN_Z,
	LEN_J,
	LEN_T,
} format_length_t;

typedef struct {
	unsigned flags;
	int width;     /* 0 when absent */
	int precision; /* -1 when absent */
	format_length_t length;
} format_spec_t;

typedef struct {
	format_sink_t sink;
	void *ctx;
	size_t count;
} format_out_t;

/* INT_MAX without <limits.h>, which gcc's freestanding headers cannot supply under -nostdinc. */
#define FORMAT_INT_MAX ((int)(~0u >> 1))

/* Enough for a 64-bit value in octal (22 digits). */
#define FORMAT_DIGITS_MAX 24

static void format_emit(format_out_t *out, const char *s, size_t len)
{
	if (len == 0)
		return;
	out->sink(out->ctx, s, len);
	out->count += len;
}

/* Emits n copies of c in chunks, so padding costs a few sink calls, not n. */
static void format_emit_repeat(format_out_t *out, char c, size_t n)
{
	static const char spaces[] = "                ";
	static const char zeros[] = "0000000000000000";
	const char *chunk = c == '0' ? zeros : spaces;

	while (n > 0) {
		size_t step = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		format_emit(out, chunk, step);
		n -= step;
	}
}

/* Emits a string of known length padded with spaces to the spec's width. */
static void format_emit_padded(format_out_t *out, const format_spec_t *spec, const char *s,
			       size_t len)
{
	size_t pad = (size_t)spec->width > len ? (size_t)spec->width - len : 0;

	if (!(spec->flags & FLAG_LEFT))
		format_emit_repeat(out, ' ', pad);
	format_emit(out, s, len);
	if (spec->flags & FLAG_LEFT)
		format_emit_repeat(out, ' ', pad);
}

/*
 * Emits one integer conversion. magnitude is the absolute value; negative says
 * whether a '-' belongs in front. Works on the magnitude so INT64_MIN needs no
 * negation that could overflow.
 */
static void format_emit_integer(format_out_t *out, const format_spec_t *spec, uintmax_t magnitude,
				bool negative, bool is_signed, unsigned base, bool upper)
{
	const char *digit_set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[FORMAT_DIGITS_MAX];
	size_t ndigits = 0;
	char prefix[2];
	size_t nprefix = 0;
	size_t zeros = 0;
	size_t body;
	size_t pad;

	/* C: a zero value with precision 0 produces no digits at all. */
	if (!(magnitude == 0 && spec->precision == 0)) {
		uintmax_t v = magnitude;

		do {
			digits[sizeof(digits) - 1 - ndigits] = digit_set[v % base];
			ndigits++;
			v /= base;
		} while (v != 0);
	}

	if (spec->precision >= 0 && (size_t)spec->precision > ndigits)
		zeros = (size_t)spec->precision - ndigits;

	/* '#' with %o raises the precision just enough to start with a 0. */
	if ((spec->flags & FLAG_ALT) && base == 8 && zeros == 0 &&
	    (ndigits == 0 || digits[sizeof(digits) - ndigits] != '0'))
		zeros = 1;

	if (is_signed) {
		if (negative)
			prefix[nprefix++] = '-';
		else if (spec->flags & FLAG_PLUS)
			prefix[nprefix++] = '+';
		else if (spec->flags & FLAG_SPACE)
			prefix[nprefix++] = ' ';
	} else if ((spec->flags & FLAG_ALT) && base == 16 && magnitude != 0) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = upper ? 'X' : 'x';
	}

	body = nprefix + zeros + ndigits;
	pad = (size_t)spec->width > body ? (size_t)spec->width - body : 0;

	/* The '0' flag is ignored with '-' or with an explicit precision (C11 7.21.6.1). */
	if ((spec->flags & FLAG_ZERO) && !(spec->flags & FLAG_LEFT) && spec->precision < 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(spec->flags & FLAG_LEFT))
		format_emit_repeat(out, ' ', pad);
	format_emit(out, prefix, nprefix);
	format_emit_repeat(out, '0', zeros);
	format_emit(out, digits + sizeof(digits) - ndigits, ndigits);
	if (spec->flags & FLAG_LEFT)
		format_emit_repeat(out, ' ', pad);
}

/* Reads a signed integer argument of the spec's length and splits off its sign. */
static void format_arg_signed(va_list *ap, format_length_t length, uintmax_t *magnitude,
			      bool *negative)
{
	intmax_t v;

	switch (length) {
	case LEN_HH: v = (signed char)va_arg(*ap, int); break;
	case LEN_H: v = (short)va_arg(*ap, int); break;
	case LEN_L: v = va_arg(*ap, long); break;
	case LEN_LL: v = va_arg(*ap, long long); break;
	case LEN_Z: v = va_arg(*ap, ptrdiff_t); break; /* the signed type of size_t's width */
	case LEN_J: v = va_arg(*ap, intmax_t); break;
	case LEN_T: v = va_arg(*ap, ptrdiff_t); break;
	default: v = va_arg(*ap, int); break;
	}
	*negative = v < 0;
	/* Unsigned negation is defined for every value, INTMAX_MIN included. */
	*magnitude = *negative ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
}

/* Reads an unsigned integer argument of the spec's length. */
static uintmax_t format_arg_unsigned(va_list *ap, format_length_t length)
{
	switch (length) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_J: return va_arg(*ap, uintmax_t);
	case LEN_T:
		return (uintmax_t)va_arg(*ap, ptrdiff_t); /* C: the unsigned type of that width */
	default: return va_arg(*ap, unsigned int);
	}
}

/* Parses a run of decimal digits at *p, saturating at FORMAT_WIDTH_MAX. */
static int format_parse_number(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		if (v < FORMAT_WIDTH_MAX)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v < FORMAT_WIDTH_MAX ? v : FORMAT_WIDTH_MAX;
}

/* Clamps a width or precision from a '*' argument to [0, FORMAT_WIDTH_MAX]. */
static int format_clamp(int v)
{
	return v > FORMAT_WIDTH_MAX ? FORMAT_WIDTH_MAX : v;
}

/*
 * Parses flags, width, precision and length after a '%' at *p, taking '*'
 * arguments from ap. Leaves *p on the conversion character (or the NUL).
 */
static void format_parse_spec(const char **p, va_list *ap, format_spec_t *spec)
{
	const char *s = *p;

	spec->flags = 0;
	spec->width = 0;
	spec->precision = -1;
	spec->length = LEN_NONE;

	for (;; s++) {
		if (*s == '-')
			spec->flags |= FLAG_LEFT;
		else if (*s == '+')
			spec->flags |= FLAG_PLUS;
		else if (*s == ' ')
			spec->flags |= FLAG_SPACE;
		else if (*s == '#')
			spec->flags |= FLAG_ALT;
		else if (*s == '0')
			spec->flags |= FLAG_ZERO;
		else
			break;
	}

	if (*s == '*') {
		int w = va_arg(*ap, int);

		s++;
		/* A negative '*' width means '-' plus its magnitude; INT_MIN too. */
		if (w < 0) {
			spec->flags |= FLAG_LEFT;
			spec->width = w < -FORMAT_WIDTH_MAX ? FORMAT_WIDTH_MAX : -w;
		} else {
			spec->width = format_clamp(w);
		}
	} else {
		spec->width = format_parse_number(&s);
	}

	if (*s == '.') {
		s++;
		if (*s == '*') {
			int prec = va_arg(*ap, int);

			s++;
			/* A negative '*' precision counts as no precision at all. */
			spec->precision = prec < 0 ? -1 : format_clamp(prec);
		} else {
			spec->precision = format_parse_number(&s);
		}
	}

	switch (*s) {
	case 'h':
		s++;
		spec->length = LEN_H;
		if (*s == 'h') {
			s++;
			spec->length = LEN_HH;
		}
		break;
	case 'l':
		s++;
		spec->length = LEN_L;
		if (*s == 'l') {
			s++;
			spec->length = LEN_LL;
		}
		break;
	case 'z':
		s++;
		spec->length = LEN_Z;
		break;
	case 'j':
		s++;
		spec->length = LEN_J;
		break;
	case 't':
		s++;
		spec->length = LEN_T;
		break;
	default: break;
	}
	*p = s;
}

/* Emits a %p: "0x" and 16 hex digits, so kernel addresses line up in logs. */
static void format_emit_pointer(format_out_t *out, const format_spec_t *spec, const void *ptr)
{
	static const char hex[] = "0123456789abcdef";
	char text[18];
	uint64_t v = (uint64_t)(uintptr_t)ptr;
	int i;

	text[0] = '0';
	text[1] = 'x';
	for (i = 17; i >= 2; i--) {
		text[i] = hex[v & 0xf];
		v >>= 4;
	}
	format_emit_padded(out, spec, text, sizeof(text));
}

int format_v(format_sink_t sink, void *ctx, const char *fmt, va_list ap)
{
	format_out_t out = {.sink = sink, .ctx = ctx, .count = 0};
	const char *p = fmt;
	va_list args;

	/* A copy we can pass by pointer; va_list may be an array type. */
	va_copy(args, ap);
	while (*p != '\0') {
		const char *start = p;
		format_spec_t spec;
		uintmax_t magnitude;
		bool negative;

		if (*p != '%') {
			while (*p != '\0' && *p != '%')
				p++;
			format_emit(&out, start, (size_t)(p - start));
			continue;
		}

		p++;
		format_parse_spec(&p, &args, &spec);
		/* Wide %lc/%ls are not supported: treat them as unknown, consuming nothing. */
		if (spec.length != LEN_NONE && (*p == 'c' || *p == 's' || *p == 'p')) {
			format_emit(&out, start, (size_t)(p - start) + 1);
			p++;
			continue;
		}
		switch (*p) {
		case 'd':
		case 'i':
			format_arg_signed(&args, spec.length, &magnitude, &negative);
			format_emit_integer(&out, &spec, magnitude, negative, true, 10, false);
			break;
		case 'u':
			magnitude = format_arg_unsigned(&args, spec.length);
			format_emit_integer(&out, &spec, magnitude, false, false, 10, false);
			break;
		case 'x':
		case 'X':
			magnitude = format_arg_unsigned(&args, spec.length);
			format_emit_integer(&out, &spec, magnitude, false, false, 16, *p == 'X');
			break;
		case 'o':
			magnitude = format_arg_unsigned(&args, spec.length);
			format_emit_integer(&out, &spec, magnitude, false, false, 8, false);
			break;
		case 'c': {
			char c = (char)va_arg(args, int);

			format_emit_padded(&out, &spec, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			size_t len;

			if (s == NULL)
				s = "(null)";
			/* strnlen, so a precision lets s be an unterminated buffer. */
			len = spec.precision >= 0 ? strnlen(s, (size_t)spec.precision) : strlen(s);
			format_emit_padded(&out, &spec, s, len);
			break;
		}
		case 'p': format_emit_pointer(&out, &spec, va_arg(args, const void *)); break;
		case '%': format_emit(&out, "%", 1); break;
		case '\0':
			/* fmt ended inside a conversion: show what there was, stop at the NUL. */
			format_emit(&out, start, (size_t)(p - start));
			continue;
		default:
			/* Unknown conversion: print it as written so the mistake is visible. */
			format_emit(&out, start, (size_t)(p - start) + 1);
			break;
		}
		p++;
	}
	va_end(args);
	return out.count > (size_t)FORMAT_INT_MAX ? FORMAT_INT_MAX : (int)out.count;
}

typedef struct {
	char *buf;
	size_t size; /* capacity including the NUL */
	size_t used; /* bytes stored so far, never more than size - 1 */
} format_buffer_t;

/* Stores what still fits, keeping one byte for the terminating NUL. */
static void format_buffer_sink(void *ctx, const char *s, size_t len)
{
	format_buffer_t *b = ctx;
	size_t room;

	if (b->size == 0)
		return;
	room = b->size - 1 - b->used;
	if (len > room)
		len = room;
	memcpy(b->buf + b->used, s, len);
	b->used += len;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	format_buffer_t b = {.buf = buf, .size = buf != NULL ? size : 0, .used = 0};
	int n = format_v(format_buffer_sink, &b, fmt, ap);

	if (b.size > 0)
		b.buf[b.used] = '\0';
	return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
