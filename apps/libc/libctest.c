#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
static __thread int tv = 5;
static void *fn(void *a) { tv = (int)(long)a; printf("thread %d tv %d\n", (int)(long)a, tv); return a; }
int main(int argc, char **argv) {
	printf("hello from musl: argc=%d argv0=%s %.3f\n", argc, argv[0], 3.14159);
	char *p = malloc(100000); p[5] = 1; free(p);
	pthread_t t[3];
	for (long i = 0; i < 3; i++) pthread_create(&t[i], 0, fn, (void*)i);
	for (int i = 0; i < 3; i++) { void *r; pthread_join(t[i], &r); }
	printf("main tv %d\n", tv);
	return 7;
}
