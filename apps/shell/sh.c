/* rsh, the RaeenOS shell: a prompt with line editing (left, right, home,
 * end, backspace, delete, Ctrl-U, Ctrl-W), history (up, down), tab
 * completion of commands and paths, pipelines, redirections (<, >, >>,
 * 2>, 2>&1), background jobs (&), quoting ('...', "...", \, as POSIX sh,
 * with backslash-newline continuing a line), $?, $NAME and ${NAME}, and
 * the built-ins cd, pwd, exit, help, jobs, export. Programs
 * start with posix_spawn (RaeenOS offers no fork) from $PATH (default
 * /bin). Plain POSIX: it builds and runs on Linux too (tests drive it). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#define LINE_MAX_LEN 1024
#define HISTORY_MAX  64
#define ARGS_MAX     64
#define STAGES_MAX   8
#define JOBS_MAX     16

static char *history[HISTORY_MAX];
static int history_count;
static int last_status;
static bool interactive;

typedef struct {
	pid_t pids[STAGES_MAX];
	int count;
	char text[64];
} job_t;

static job_t jobs[JOBS_MAX];

/* ---- the line editor ------------------------------------------------- */

static struct termios saved_tty;
static bool raw_on;

static void raw_mode(bool on)
{
	if (!interactive || on == raw_on)
		return;
	if (on) {
		struct termios t;
		if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
			return;
		t = saved_tty;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
			raw_on = true;
	} else {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		raw_on = false;
	}
}

static void out(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void outs(const char *s)
{
	out(s, strlen(s));
}

/* Redraws the line: prompt, text, cursor at `pos`. */
static void redraw(const char *prompt, const char *buf, size_t len, size_t pos)
{
	outs("\r");
	outs(prompt);
	out(buf, len);
	outs("\x1b[K");
	for (size_t i = len; i > pos; i--)
		outs("\b");
}

static int read_key(void)
{
	unsigned char c;
	ssize_t n = read(STDIN_FILENO, &c, 1);
	return n == 1 ? c : -1;
}

/* The word before the cursor, for completion: its start. */
static size_t word_start(const char *buf, size_t pos)
{
	size_t s = pos;
	while (s > 0 && !isspace((unsigned char)buf[s - 1]) && !strchr("|<>&;", buf[s - 1]))
		s--;
	return s;
}

/* Whether the word at `start` is in command position. */
static bool command_position(const char *buf, size_t start)
{
	size_t i = start;
	while (i > 0 && isspace((unsigned char)buf[i - 1]))
		i--;
	return i == 0 || strchr("|&;", buf[i - 1]);
}

typedef struct {
	char names[32][NAME_MAX + 2];
	int count;
} matches_t;

static void match_dir(matches_t *m, const char *dir, const char *prefix, size_t plen,
		      bool dirs_slash)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && m->count < 32) {
		if (strncmp(e->d_name, prefix, plen) != 0 || !strcmp(e->d_name, ".") ||
		    !strcmp(e->d_name, ".."))
			continue;
		if (plen == 0 && e->d_name[0] == '.')
			continue;
		bool seen = false; /* the same program in two $PATH directories */
		for (int i = 0; i < m->count && !seen; i++)
			seen = !strcmp(m->names[i], e->d_name);
		if (seen)
			continue;
		snprintf(m->names[m->count], sizeof(m->names[0]), "%s", e->d_name);
		if (dirs_slash) {
			char full[PATH_MAX];
			struct stat st;
			snprintf(full, sizeof(full), "%s/%s", dir, e->d_name);
			if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
				strncat(m->names[m->count], "/", 2);
		}
		m->count++;
	}
	closedir(d);
}

static const char *const builtins[] = {"cd", "pwd", "exit", "help", "jobs", "export", NULL};

/* Completes the word before the cursor in place; lists choices when
 * several fit. Returns the new length. */
static size_t complete(const char *prompt, char *buf, size_t len, size_t *pos)
{
	size_t start = word_start(buf, *pos);
	char word[PATH_MAX];
	size_t wlen = *pos - start;
	if (wlen >= sizeof(word))
		return len;
	memcpy(word, buf + start, wlen);
	word[wlen] = 0;
	matches_t m = {.count = 0};
	const char *slash = strrchr(word, '/');
	const char *prefix = slash ? slash + 1 : word;
	size_t plen = strlen(prefix);
	if (command_position(buf, start) && !slash) {
		for (int i = 0; builtins[i]; i++)
			if (!strncmp(builtins[i], word, wlen) && m.count < 32)
				snprintf(m.names[m.count++], sizeof(m.names[0]), "%s", builtins[i]);
		const char *path = getenv("PATH");
		char copy[PATH_MAX];
		snprintf(copy, sizeof(copy), "%s", path ? path : "/bin");
		for (char *dir = strtok(copy, ":"); dir; dir = strtok(NULL, ":"))
			match_dir(&m, dir, prefix, plen, false);
	} else {
		char dir[PATH_MAX];
		if (slash) {
			size_t dl = (size_t)(slash - word);
			snprintf(dir, sizeof(dir), "%.*s", (int)(dl ? dl : 1), word);
		} else {
			snprintf(dir, sizeof(dir), ".");
		}
		match_dir(&m, dir, prefix, plen, true);
	}
	if (m.count == 0)
		return len;
	/* The longest common prefix of the matches. */
	size_t common = strlen(m.names[0]);
	for (int i = 1; i < m.count; i++) {
		size_t k = 0;
		while (k < common && m.names[i][k] == m.names[0][k])
			k++;
		common = k;
	}
	const char *add = m.names[0] + plen;
	size_t addn = common > plen ? common - plen : 0;
	bool single = m.count == 1;
	if (single && m.names[0][common - 1] != '/')
		addn++; /* and a space after a whole word */
	if (addn && len + addn < LINE_MAX_LEN) {
		memmove(buf + *pos + addn, buf + *pos, len - *pos);
		memcpy(buf + *pos, add, addn - (single && m.names[0][common - 1] != '/'));
		if (single && m.names[0][common - 1] != '/')
			buf[*pos + addn - 1] = ' ';
		len += addn;
		*pos += addn;
	} else if (!single) {
		outs("\r\n");
		for (int i = 0; i < m.count; i++) {
			outs(m.names[i]);
			outs(i + 1 < m.count ? "  " : "\r\n");
		}
	}
	redraw(prompt, buf, len, *pos);
	return len;
}

/* Reads one line with editing into buf; returns its length, or -1 at end
 * of input. */
static int edit_line(const char *prompt, char *buf)
{
	size_t len = 0, pos = 0;
	int hist = history_count;
	outs(prompt);
	for (;;) {
		int c = read_key();
		if (c < 0 || (c == 4 && len == 0)) /* end of input, Ctrl-D */
			return -1;
		if (c == '\r' || c == '\n') {
			outs("\r\n");
			buf[len] = 0;
			return (int)len;
		}
		if (c == 3) { /* Ctrl-C: drop the line */
			outs("^C\r\n");
			len = pos = 0;
			outs(prompt);
			continue;
		}
		if (c == 127 || c == 8) {
			if (pos > 0) {
				memmove(buf + pos - 1, buf + pos, len - pos);
				pos--;
				len--;
			}
		} else if (c == 21) { /* Ctrl-U */
			memmove(buf, buf + pos, len - pos);
			len -= pos;
			pos = 0;
		} else if (c == 23) { /* Ctrl-W */
			size_t s = pos;
			while (s > 0 && buf[s - 1] == ' ')
				s--;
			while (s > 0 && buf[s - 1] != ' ')
				s--;
			memmove(buf + s, buf + pos, len - pos);
			len -= pos - s;
			pos = s;
		} else if (c == 1) {
			pos = 0;
		} else if (c == 5) {
			pos = len;
		} else if (c == '\t') {
			len = complete(prompt, buf, len, &pos);
			continue;
		} else if (c == 27) {
			if (read_key() != '[')
				continue;
			int k = read_key();
			if (k == 'D' && pos > 0)
				pos--;
			else if (k == 'C' && pos < len)
				pos++;
			else if (k == 'H')
				pos = 0;
			else if (k == 'F')
				pos = len;
			else if (k == '3' && read_key() == '~' && pos < len) {
				memmove(buf + pos, buf + pos + 1, len - pos - 1);
				len--;
			} else if ((k == 'A' && hist > 0) || (k == 'B' && hist < history_count)) {
				hist += k == 'A' ? -1 : 1;
				const char *h = hist < history_count ? history[hist] : "";
				len = pos = strlen(h);
				memcpy(buf, h, len);
			}
		} else if (c >= 32 && c < 127 && len + 1 < LINE_MAX_LEN) {
			bool at_end = pos == len;
			memmove(buf + pos + 1, buf + pos, len - pos);
			buf[pos++] = (char)c;
			len++;
			if (at_end) {
				/* Typing at the end: the character is all that changes
				 * (a slow serial line need not carry the whole line). */
				out(buf + pos - 1, 1);
				continue;
			}
		}
		redraw(prompt, buf, len, pos);
	}
}

static void history_add(const char *line)
{
	if (!*line || (history_count && !strcmp(history[history_count - 1], line)))
		return;
	if (history_count == HISTORY_MAX) {
		free(history[0]);
		memmove(history, history + 1, sizeof(history[0]) * (HISTORY_MAX - 1));
		history_count--;
	}
	history[history_count++] = strdup(line);
}

/* ---- parsing ---------------------------------------------------------- */

typedef struct {
	char *argv[ARGS_MAX + 1];
	int argc;
	char *in, *out, *err; /* redirections: file names */
	bool append, err_to_out;
} stage_t;

typedef struct {
	stage_t stages[STAGES_MAX];
	int count;
	bool background;
} pipeline_t;

static char words[LINE_MAX_LEN * 2];

/* If *pp starts a parameter ($?, $NAME, ${NAME}), appends its value at *w
 * (up to end), moves *pp past it and returns true; else false (a lone $
 * is an ordinary character). An unset name expands to nothing. */
static bool expand(const char **pp, char **w, char *end)
{
	const char *p = *pp;
	char name[64], value[32];
	const char *v = NULL;
	if (p[1] == '?') {
		snprintf(value, sizeof(value), "%d", last_status);
		v = value;
		p += 2;
	} else {
		bool braced = p[1] == '{';
		const char *at = p + 1 + braced;
		size_t n = 0;
		if (!isalpha((unsigned char)*at) && *at != '_')
			return false;
		for (; (isalnum((unsigned char)*at) || *at == '_'); at++) {
			if (n + 1 < sizeof(name))
				name[n++] = *at;
		}
		if (braced && *at != '}')
			return false;
		name[n] = 0;
		v = getenv(name);
		p = at + braced;
	}
	for (; v && *v && *w < end; v++)
		*(*w)++ = *v;
	*pp = p;
	return true;
}

/* Whether `text` needs another line to be a whole command, as POSIX sh
 * reads it: it ends inside single or double quotes, or with a backslash
 * that escapes the newline. */
static bool line_continues(const char *text)
{
	char quote = 0;
	for (const char *s = text; *s; s++) {
		if (quote == '\'') {
			if (*s == '\'')
				quote = 0;
		} else if (*s == '\\') {
			if (!s[1])
				return true;
			s++;
		} else if (quote == '"') {
			if (*s == '"')
				quote = 0;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '#' && (s == text || strchr(" \t\n;", s[-1]))) {
			while (s[1] && s[1] != '\n') /* a comment, to the end of its line */
				s++;
		}
	}
	return quote != 0;
}

/* Splits the first command of `line` (up to a ';', a newline or the end)
 * into a pipeline; *rest is where the next command starts, or NULL.
 * Quoting is POSIX sh's: '...' keeps every character; "..." keeps every
 * character but expands $ and takes a backslash as an escape only before
 * $ ` " \ and newline (elsewhere it stays); outside quotes a backslash
 * escapes any character; backslash-newline disappears outside single
 * quotes. A word that is empty only because an unquoted $NAME was unset
 * is dropped; "" and '' are empty arguments. Returns 0, or -1 with a
 * message. */
static int parse(const char *line, pipeline_t *pl, const char **rest)
{
	*rest = NULL;
	memset(pl, 0, sizeof(*pl));
	char *w = words, *end = words + sizeof(words) - 1;
	stage_t *st = &pl->stages[0];
	pl->count = 1;
	char **target = NULL; /* the redirection waiting for its file name */
	const char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || (p[0] == '\\' && p[1] == '\n'))
			p += *p == '\\' ? 2 : 1;
		if (*p == '#') /* a comment, to the end of its line */
			p += strcspn(p, "\n");
		if (!*p)
			break;
		if (*p == ';' || *p == '\n') {
			*rest = p + 1;
			break;
		}
		if ((*p == '|' || *p == '&' || *p == '<' || *p == '>' || !strncmp(p, "2>", 2)) &&
		    target) {
			fprintf(stderr, "rsh: a redirection needs a file name\n");
			return -1;
		}
		if (*p == '|') {
			if ((!st->argc) || target || pl->count == STAGES_MAX) {
				fprintf(stderr, "rsh: syntax error near '|'\n");
				return -1;
			}
			st = &pl->stages[pl->count++];
			p++;
			continue;
		}
		if (*p == '&') {
			pl->background = true;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == ';' || *p == '\n')
				*rest = p + 1;
			else if (*p) {
				fprintf(stderr, "rsh: '&' must end a command\n");
				return -1;
			}
			break;
		}
		if (!strncmp(p, "2>&1", 4)) {
			st->err_to_out = true;
			p += 4;
			continue;
		}
		if (*p == '<' || *p == '>' || !strncmp(p, "2>", 2)) {
			if (*p == '2') {
				target = &st->err;
				p += 2;
			} else if (*p == '<') {
				target = &st->in;
				p++;
			} else {
				target = &st->out;
				st->append = p[1] == '>';
				p += st->append ? 2 : 1;
			}
			continue;
		}
		/* A word, with quotes, escapes and $ expansion. */
		char *start = w;
		bool quoted = false; /* any quoting: an empty result is still a word */
		while (*p && !strchr(" \t\n|&<>;", *p) && w < end) {
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');
				if (!q) {
					fprintf(stderr, "rsh: unterminated quote\n");
					return -1;
				}
				for (p++; p < q && w < end; p++)
					*w++ = *p;
				p++;
				quoted = true;
			} else if (*p == '"') {
				for (p++; *p && *p != '"' && w < end;) {
					if (p[0] == '\\' && p[1] == '\n')
						p += 2;
					else if (p[0] == '\\' && p[1] && strchr("$`\"\\", p[1])) {
						*w++ = p[1];
						p += 2;
					} else if (*p != '$' || !expand(&p, &w, end))
						*w++ = *p++;
				}
				if (*p != '"') {
					fprintf(stderr, "rsh: unterminated quote\n");
					return -1;
				}
				p++;
				quoted = true;
			} else if (p[0] == '\\' && p[1] == '\n') {
				p += 2;
			} else if (p[0] == '\\' && p[1]) {
				*w++ = p[1];
				p += 2;
				quoted = true;
			} else if (*p != '$' || !expand(&p, &w, end)) {
				*w++ = *p++;
			}
		}
		if (w >= end) {
			fprintf(stderr, "rsh: line too long\n");
			return -1;
		}
		*w++ = 0;
		if (w - 1 == start && !quoted && !target) {
			w = start; /* only an unset $NAME or a line continuation: no word */
			continue;
		}
		if (target) {
			*target = start;
			target = NULL;
		} else if (st->argc < ARGS_MAX) {
			st->argv[st->argc++] = start;
		} else {
			fprintf(stderr, "rsh: too many arguments\n");
			return -1;
		}
	}
	if (target || (pl->count > 1 && !st->argc)) {
		fprintf(stderr, "rsh: syntax error at end of line\n");
		return -1;
	}
	return 0;
}

/* ---- running ---------------------------------------------------------- */

static int builtin(stage_t *st)
{
	const char *cmd = st->argv[0];
	if (!strcmp(cmd, "cd")) {
		const char *dir = st->argc > 1 ? st->argv[1] : getenv("HOME");
		if (chdir(dir ? dir : "/") != 0) {
			fprintf(stderr, "cd: %s: %s\n", dir, strerror(errno));
			return 1;
		}
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)))
			setenv("PWD", cwd, 1);
		return 0;
	}
	if (!strcmp(cmd, "pwd")) {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			fprintf(stderr, "pwd: %s\n", strerror(errno));
			return 1;
		}
		printf("%s\n", cwd);
		fflush(stdout);
		return 0;
	}
	if (!strcmp(cmd, "exit")) {
		raw_mode(false);
		exit(st->argc > 1 ? atoi(st->argv[1]) : last_status);
	}
	if (!strcmp(cmd, "export")) {
		for (int i = 1; i < st->argc; i++) {
			char *eq = strchr(st->argv[i], '=');
			if (eq) {
				*eq = 0;
				setenv(st->argv[i], eq + 1, 1);
			}
		}
		return 0;
	}
	if (!strcmp(cmd, "jobs")) {
		for (int i = 0; i < JOBS_MAX; i++)
			if (jobs[i].count)
				printf("[%d] running  %s\n", i + 1, jobs[i].text);
		fflush(stdout);
		return 0;
	}
	if (!strcmp(cmd, "help")) {
		printf("rsh, the RaeenOS shell. Built-ins: cd [dir], pwd, exit [status], "
		       "export NAME=value, jobs, help.\n"
		       "Programs run from $PATH (/bin: ls cat echo mkdir rm mv cp ps kill free "
		       "uptime uname services dmesg bench ...).\n"
		       "cmd | cmd, < file, > file, >> file, 2> file, 2>&1, cmd &, cmd; cmd, $?, "
		       "$NAME, ${NAME}, 'quotes', \"quotes\", \\ (POSIX rules).\n"
		       "Keys: left/right, home/end, up/down (history), tab (complete), Ctrl-U, "
		       "Ctrl-W, Ctrl-C, Ctrl-D.\n");
		fflush(stdout);
		return 0;
	}
	return -1;
}

/* Finds `name` on $PATH; the result is in `buf`. */
static const char *resolve(const char *name, char *buf, size_t size)
{
	if (strchr(name, '/'))
		return name;
	const char *path = getenv("PATH");
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", path ? path : "/bin");
	for (char *dir = strtok(copy, ":"); dir; dir = strtok(NULL, ":")) {
		snprintf(buf, size, "%s/%s", dir, name);
		if (access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}

static int open_redirect(posix_spawn_file_actions_t *fa, const char *file, int fd, int flags)
{
	/* Opened here first, so a bad path is reported before anything runs. */
	int probe = open(file, flags, 0644);
	if (probe < 0) {
		fprintf(stderr, "rsh: %s: %s\n", file, strerror(errno));
		return -1;
	}
	close(probe);
	return posix_spawn_file_actions_addopen(fa, fd, file, flags & ~O_TRUNC, 0644) == 0 ? 0 : -1;
}

static int wait_all(pid_t *pids, int n)
{
	int status = 0;
	for (int i = 0; i < n; i++) {
		int s = 0;
		if (pids[i] > 0 && waitpid(pids[i], &s, 0) == pids[i] && i == n - 1)
			status = WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s);
	}
	return status;
}

static void reap_jobs(void)
{
	for (int j = 0; j < JOBS_MAX; j++) {
		if (!jobs[j].count)
			continue;
		bool all = true;
		for (int i = 0; i < jobs[j].count; i++) {
			if (jobs[j].pids[i] > 0 && waitpid(jobs[j].pids[i], NULL, WNOHANG) == 0)
				all = false;
			else
				jobs[j].pids[i] = 0;
		}
		if (all) {
			printf("[%d] done     %s\n", j + 1, jobs[j].text);
			fflush(stdout);
			jobs[j].count = 0;
		}
	}
}

static int run(pipeline_t *pl, const char *text)
{
	if (pl->count == 1 && pl->stages[0].argc && !pl->background && !pl->stages[0].in &&
	    !pl->stages[0].out && !pl->stages[0].err) {
		int b = builtin(&pl->stages[0]);
		if (b >= 0)
			return b;
	}
	pid_t pids[STAGES_MAX] = {0};
	int prev_read = -1, status = 0, started = 0;
	for (int i = 0; i < pl->count; i++) {
		stage_t *st = &pl->stages[i];
		int fds[2] = {-1, -1};
		if (i + 1 < pl->count && pipe(fds) != 0) {
			fprintf(stderr, "rsh: pipe: %s\n", strerror(errno));
			status = 1;
			break;
		}
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		if (prev_read >= 0)
			posix_spawn_file_actions_adddup2(&fa, prev_read, STDIN_FILENO);
		if (fds[1] >= 0)
			posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
		int bad = 0;
		if (st->in)
			bad |= open_redirect(&fa, st->in, STDIN_FILENO, O_RDONLY);
		if (st->out)
			bad |=
			    open_redirect(&fa, st->out, STDOUT_FILENO,
					  O_WRONLY | O_CREAT | (st->append ? O_APPEND : O_TRUNC));
		if (st->err)
			bad |= open_redirect(&fa, st->err, STDERR_FILENO,
					     O_WRONLY | O_CREAT | O_TRUNC);
		if (st->err_to_out)
			posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
		if (prev_read >= 0)
			posix_spawn_file_actions_addclose(&fa, prev_read);
		if (fds[0] >= 0)
			posix_spawn_file_actions_addclose(&fa, fds[0]);
		if (fds[1] >= 0)
			posix_spawn_file_actions_addclose(&fa, fds[1]);
		char path[PATH_MAX];
		const char *exe = bad ? NULL : resolve(st->argv[0], path, sizeof(path));
		if (!bad && !exe) {
			fprintf(stderr, "rsh: %s: command not found\n", st->argv[0]);
			status = 127;
		} else if (exe) {
			int e = posix_spawn(&pids[i], exe, &fa, NULL, st->argv, environ);
			if (e != 0) {
				fprintf(stderr, "rsh: %s: %s\n", st->argv[0], strerror(e));
				pids[i] = 0;
				status = 126;
			} else {
				started++;
			}
		} else {
			status = 1;
		}
		posix_spawn_file_actions_destroy(&fa);
		if (prev_read >= 0)
			close(prev_read);
		if (fds[1] >= 0)
			close(fds[1]);
		prev_read = fds[0];
	}
	if (prev_read >= 0)
		close(prev_read);
	if (!started)
		return status;
	if (pl->background) {
		for (int j = 0; j < JOBS_MAX; j++) {
			if (!jobs[j].count) {
				memcpy(jobs[j].pids, pids, sizeof(pids));
				jobs[j].count = pl->count;
				snprintf(jobs[j].text, sizeof(jobs[j].text), "%s", text);
				printf("[%d] %d\n", j + 1, (int)pids[pl->count - 1]);
				fflush(stdout);
				return 0;
			}
		}
	}
	int s = wait_all(pids, pl->count);
	return pids[pl->count - 1] ? s : status;
}

/* Reads one line into buf (cap bytes, at least 1), without its newline:
 * with the line editor on a terminal, else from script or standard input.
 * Returns its length, or -1 at the end of input; a line that does not fit
 * is cut at cap - 1 bytes. */
static int read_line(const char *prompt, char *buf, size_t cap, FILE *script)
{
	static char edited[LINE_MAX_LEN];
	if (cap <= 1)
		return -1;
	if (interactive) {
		int n = edit_line(prompt, edited);
		if (n < 0)
			return -1;
		if ((size_t)n >= cap)
			n = (int)cap - 1;
		memcpy(buf, edited, (size_t)n);
		buf[n] = 0;
		return n;
	}
	if (!fgets(buf, (int)cap, script ? script : stdin))
		return -1;
	int n = (int)strcspn(buf, "\n");
	buf[n] = 0;
	return n;
}

/* Runs each command of `line` (separated by ';' or newlines) in turn; $?
 * is the last's. */
static void run_line(const char *line)
{
	while (line) {
		pipeline_t pl;
		const char *rest;
		if (parse(line, &pl, &rest) != 0) {
			last_status = 2;
			return;
		}
		if (pl.stages[0].argc)
			last_status = run(&pl, line);
		line = rest;
	}
}

int main(int argc, char **argv)
{
	FILE *script = NULL;
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		run_line(argv[2]);
		return last_status;
	}
	if (argc > 1 && !(script = fopen(argv[1], "r"))) {
		fprintf(stderr, "rsh: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	interactive = !script && isatty(STDIN_FILENO);
	if (!getenv("PATH"))
		setenv("PATH", "/bin", 1);
	char line[LINE_MAX_LEN];
	for (;;) {
		reap_jobs();
		char cwd[PATH_MAX], prompt[PATH_MAX + 16];
		snprintf(prompt, sizeof(prompt), "%s $ ", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
		/* Raw mode stays on across continuation lines, so that keys
		 * typed ahead are read the same way. */
		raw_mode(true);
		int n = read_line(prompt, line, sizeof(line), script);
		while (n >= 0 && line_continues(line)) {
			int more =
			    read_line("> ", line + n + 1, sizeof(line) - (size_t)n - 1, script);
			if (more < 0)
				break; /* end of input: the parser reports what is open */
			line[n] = '\n';
			n += 1 + more;
		}
		raw_mode(false);
		if (n < 0)
			break;
		history_add(line);
		run_line(line);
	}
	if (interactive)
		outs("\r\n");
	return last_status;
}
