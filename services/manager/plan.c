/* The start plan: services in dependency order (a depth-first walk over
 * `needs`), with missing names, cycles and what depends on them blocked. */
#include "manifest.h"

#include <string.h>

#include <lib/format.h>

typedef struct {
	const svc_manifest_t *const *m;
	unsigned n;
	svc_plan_t *plan;
	unsigned char color[RAE_SVC_LIST_MAX]; /* 0 unseen, 1 on the walk's path, 2 done */
	unsigned path[RAE_SVC_LIST_MAX];       /* the walk's path, for naming a cycle */
	unsigned depth;
	unsigned *order; /* every service, each after what it needs (except on cycles) */
	unsigned ordered;
} walk_t;

static int index_of(const svc_manifest_t *const *m, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(m[i]->name, name) == 0)
			return (int)i;
	}
	return -1;
}

static void block(svc_plan_t *p, const char *why)
{
	if (p->blocked)
		return; /* the first reason stands */
	p->blocked = true;
	ksnprintf(p->why, sizeof(p->why), "%s", why);
}

/* Blocks every service on the cycle that closes at path entry `from`. */
static void block_cycle(walk_t *w, unsigned from)
{
	char why[SVC_WHY_MAX];
	size_t at = (size_t)ksnprintf(why, sizeof(why), "dependency cycle: ");
	for (unsigned i = from; i < w->depth && at < sizeof(why); i++)
		at +=
		    (size_t)ksnprintf(why + at, sizeof(why) - at, "%s -> ", w->m[w->path[i]]->name);
	if (at < sizeof(why))
		ksnprintf(why + at, sizeof(why) - at, "%s", w->m[w->path[from]]->name);
	for (unsigned i = from; i < w->depth; i++)
		block(&w->plan[w->path[i]], why);
}

static void visit(walk_t *w, unsigned i)
{
	w->color[i] = 1;
	w->path[w->depth++] = i;
	const svc_names_t *needs = &w->m[i]->needs;
	for (unsigned k = 0; k < needs->count; k++) {
		int j = index_of(w->m, w->n, needs->names[k]);
		if (j < 0)
			continue; /* reported by svc_plan_order */
		if (w->color[j] == 0) {
			visit(w, (unsigned)j);
		} else if (w->color[j] == 1) {
			unsigned from = 0;
			while (w->path[from] != (unsigned)j)
				from++;
			block_cycle(w, from);
		}
	}
	w->depth--;
	w->color[i] = 2;
	w->order[w->ordered++] = i;
}

unsigned svc_plan_order(const svc_manifest_t *const *m, unsigned n, unsigned *order,
			svc_plan_t *plan)
{
	static walk_t w;
	unsigned all[RAE_SVC_LIST_MAX] = {0};
	char why[SVC_WHY_MAX];
	if (n > RAE_SVC_LIST_MAX)
		n = RAE_SVC_LIST_MAX;
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.n = n;
	w.plan = plan;
	w.order = all;
	/* Names nobody defines. */
	for (unsigned i = 0; i < n; i++) {
		const svc_names_t *lists[] = {&m[i]->needs, &m[i]->endpoints};
		for (unsigned l = 0; l < 2; l++) {
			for (unsigned k = 0; k < lists[l]->count; k++) {
				if (index_of(m, n, lists[l]->names[k]) >= 0)
					continue;
				ksnprintf(why, sizeof(why), "%s '%s', which no manifest defines",
					  l == 0 ? "needs" : "is granted", lists[l]->names[k]);
				block(&plan[i], why);
			}
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (w.color[i] == 0)
			visit(&w, i);
	}
	/* What needs a blocked service is blocked too; the walk put every
	 * dependency (outside cycles, which are blocked already) first. */
	unsigned count = 0;
	for (unsigned o = 0; o < w.ordered; o++) {
		unsigned i = all[o];
		for (unsigned k = 0; k < m[i]->needs.count && !plan[i].blocked; k++) {
			int j = index_of(m, n, m[i]->needs.names[k]);
			if (j >= 0 && plan[j].blocked) {
				ksnprintf(why, sizeof(why), "needs '%s', which cannot start",
					  m[j]->name);
				block(&plan[i], why);
			}
		}
		if (!plan[i].blocked)
			order[count++] = i;
	}
	return count;
}
