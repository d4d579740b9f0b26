/* scrub.h — the second wall: every secret value the run holds, masked as "***" in any text.
 *
 * The type system keeps secrets out of what rbk prints (values of kind secret show as "***"); the
 * scrubber catches what escapes it — a secret echoed back in a server's error, a curl message
 * quoting a URL, a Secret object's data in a result. Whoever reads a secret registers it with
 * scrub_add() (the secret() and env() built-ins, the kubeconfig loader, the Kubernetes actions that
 * read Secret objects); every writer of text that leaves the process (terminal lines, the event
 * stream, the journal, `rbk log`, notifications, error messages) passes it through scrub_text() or
 * scrub_json().
 *
 * What is masked: each registered value, its base64 (standard and URL-safe alphabets, without
 * the padding, so the padded form loses all but its "=") and its URL-encoded (percent-encoded,
 * upper- or lower-case hex) form, longest first. Values shorter than SCRUB_MIN_LEN bytes are not registered: masking every "abc"
 * or "1" in the output would hide more than it protects (nor are values over SCRUB_MAX_LEN, nor
 * any past the first SCRUB_MAX_VALUES). Independently of the registry, the
 * user-info of every URL ("scheme://user:pass@host") is shown as "***@".
 *
 * The registry is one per process, for the run's thread (the simulator's server threads never use
 * it); values stay registered until scrub_reset(). Scrubbing costs one memmem() pass per
 * registered form over the text: linear in the text for a fixed registry.
 *
 * Ownership: scrub_add() copies the value; scrub_text() returns a new string the caller frees (or
 * NULL when nothing changed); scrub_json() changes the strings of the JSON value it borrows in place.
 */
#ifndef RBK_SCRUB_H
#define RBK_SCRUB_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Values shorter than this are never registered (see above). */
#define SCRUB_MIN_LEN 4
/* Values longer than this are not registered: they are texts built from secrets (to_json of an
 * object holding one…), whose secrets are registered themselves. */
#define SCRUB_MAX_LEN (64u << 10)
/* At most this many values are registered; later ones are not (a run that derives new secrets in
 * a loop must not make every output line slower and slower). The type keeps masking them. */
#define SCRUB_MAX_VALUES 4096

/* Registers s[0..len) and its encoded forms; returns false only when out of memory. Values
 * shorter than SCRUB_MIN_LEN or longer than SCRUB_MAX_LEN, values already registered and values
 * past SCRUB_MAX_VALUES are ignored (true). */
bool scrub_add(const char *s, size_t len);

/* Registers the text that the base64 s[0..len) encodes (standard or URL-safe alphabet, padding
 * and white space ignored) as scrub_add() does, and s itself; returns false only when out of
 * memory. Text that is not base64 is registered as it is. */
bool scrub_add_base64(const char *s, size_t len);

/* Returns the number of values registered (not counting their encoded forms). */
size_t scrub_count(void);

/* Forgets every registered value (their copies are wiped). */
void scrub_reset(void);

/* Returns s[0..len) with every registered form and URL user-info replaced by "***" (*out_len gets
 * its length when out_len is not NULL), or NULL when there was nothing to replace. Out of memory,
 * it fails safe: the whole text becomes "***". Caller frees. */
char *scrub_text(const char *s, size_t len, size_t *out_len);

/* Returns a scrubbed copy of the NUL-terminated s; NULL when s is NULL or memory runs out. Caller
 * frees. */
char *scrub_line(const char *s);

/* Scrubs every string inside j in place (object keys are left alone); returns false when out of
 * memory (the strings scrubbed so far stay scrubbed). */
bool scrub_json(json_t *j);

#endif
