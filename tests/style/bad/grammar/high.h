/* high.h — a header whose pointers are explained.
 *
 * Ownership: high_text returns a new string (caller frees).
 */
char *high_text(void);
