/* Kernel command line options: space-separated "key=value" or "flag". */
#include <cmdline.h>
#include <string.h>

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	if (klen == 0 || len == 0)
		return false;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen < klen || strncmp(word, key, klen) != 0)
			continue;
		if (wlen == klen) {
			val[0] = '\0';
			return true;
		}
		if (word[klen] != '=')
			continue;
		size_t vlen = wlen - klen - 1;
		if (vlen >= len)
			return false;
		memcpy(val, word + klen + 1, vlen);
		val[vlen] = '\0';
		return true;
	}
	return false;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (klen && *p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		size_t wlen = (size_t)(p - word);
		if (wlen >= klen && strncmp(word, key, klen) == 0 &&
		    (wlen == klen || word[klen] == '='))
			return true;
	}
	return false;
}
