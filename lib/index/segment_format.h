/* segment_format.h - the layout of an immutable segment file (.cdx), shared by the
 * writer and the reader.
 *
 * A segment file is:
 *   header      64 bytes: magic "CDXSEG\r\n", u32 format version, u32 section count,
 *               u32 doc count, u32 reserved, u64 trigram count, u64 reserved[3],
 *               u64 XXH3 of (header bytes 0..55 + section table);
 *   sections    CX_SEG_NSECTIONS entries of 32 bytes each, right after the header:
 *               u32 id, u32 reserved, u64 offset, u64 length, u64 XXH3 of the bytes;
 *   then the section bytes. All integers little-endian.
 *
 * Sections:
 *   POSTINGS  the posting lists, back to back. One list holds the ascending doc ids
 *             of the docs holding a trigram, encoded as either
 *               VARINT: varint(first) varint(delta)...            (sparse lists), or
 *               BITMAP: varint(first) then bits for ids first..last (dense lists),
 *             whichever is smaller.
 *   TRIGRAMS  sorted entries of 16 bytes: u32 (trigram | kind << 24), u32 doc count,
 *             u32 offset of the list in POSTINGS, u32 low half of the list's XXH3.
 *             A list ends where the next begins (the last at the section's end).
 *   DOCS      doc count entries of 48 bytes, sorted by path (bytewise):
 *             u64 path offset in PATHS, u32 path length, u32 flags (0),
 *             u64 size, i64 mtime (ns), u64 inode, u64 XXH3 of the content.
 *   PATHS     the path bytes, no separators.
 *   BLOCKS    (format 2) the block summaries of large docs (index/blocks.h):
 *             u32 entry count E, u32 low half of the XXH3 of the E entries, then E
 *             entries of 16 bytes ascending by doc: u32 doc, u32 offset of its summary
 *             (from the section's start), u32 its length, u32 low half of its XXH3;
 *             then the summaries.
 *
 * Every section is checksummed; TRIGRAMS, DOCS, PATHS and the BLOCKS entries are
 * verified when the segment is opened, each posting list and block summary when it is
 * read, so a damaged file is always reported as corrupt, never answered from. Format 1
 * (no BLOCKS section) is still read.
 */
#ifndef CX_SEGMENT_FORMAT_H
#define CX_SEGMENT_FORMAT_H

#define CX_SEG_MAGIC "CDXSEG\r\n"
#define CX_SEG_VERSION 2u
#define CX_SEG_HEADER_SIZE 64u
#define CX_SEG_SECTION_SIZE 32u

enum cx_seg_section {
	CX_SEC_POSTINGS = 0,
	CX_SEC_TRIGRAMS = 1,
	CX_SEC_DOCS = 2,
	CX_SEC_PATHS = 3,
	CX_SEC_BLOCKS = 4,
	CX_SEG_NSECTIONS = 5,
};

/* Sections of a format 1 segment (no BLOCKS). */
#define CX_SEG_NSECTIONS_V1 4u

#define CX_SEG_TRI_ENTRY 16u
#define CX_SEG_DOC_ENTRY 48u
#define CX_SEG_BLOCKS_ENTRY 16u

enum cx_list_kind {
	CX_LIST_VARINT = 0,
	CX_LIST_BITMAP = 1,
};

#define CX_SEG_MAX_POSTINGS 0xffffffffull /* offsets are u32 */

#endif
