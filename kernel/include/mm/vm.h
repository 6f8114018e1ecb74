/* Mapping permissions and cache modes, as generic code names them. A
 * mapping is never both writable and executable (W^X): the page-table code
 * refuses such a request. */
#ifndef MM_VM_H
#define MM_VM_H

#define VM_READ          0x01u
#define VM_WRITE         0x02u
#define VM_EXEC          0x04u
#define VM_USER          0x08u
#define VM_UNCACHED      0x10u /* device registers */
#define VM_WRITE_COMBINE 0x20u /* framebuffers */
#define VM_GLOBAL        0x40u /* kernel mappings shared by every address space */
/* The page belongs to a memory object, not to the address space that maps
 * it: tearing the address space down must not free it. */
#define VM_SHARED 0x80u

#endif
