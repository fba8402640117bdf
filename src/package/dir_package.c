/* dir_package.c: directory packages (`NAME.yoi-plugin/`), a wasmgate
 * addition. The same files as the zipped form, under the same rules, so
 * that `digest DIR` equals `digest` of `pack DIR`:
 *   - the walk is iterative (an explicit stack bounded by max_dir_depth),
 *     relative to directory fds (openat/fdopendir, O_NOFOLLOW everywhere):
 *     no path strings are re-resolved, so a rename race cannot redirect it;
 *   - each directory's names are read, bounded and sorted before use, so
 *     the walk and its first diagnostic are deterministic;
 *   - names must be UTF-8 and full paths must pass normalize_archive_path;
 *     symlinks are `traversal` (as symlink ZIP entries), FIFOs, devices and
 *     sockets `malformed`; files are opened O_NONBLOCK and re-checked with
 *     fstat, so a swapped-in FIFO never blocks;
 *   - directories are not files: they add nothing to the list or digest,
 *     exactly like a ZIP without directory entries;
 *   - file count, per-file size, expanded size and the size the zipped form
 *     would have are bounded by the same limits as a ZIP package. */
#include "pkg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_MSG_NAME_UTF8 "plugin package entry name is not UTF-8"
#define DIR_MSG_NOT_REGULAR "plugin package entry is not a regular file"
#define DIR_MSG_DEPTH "plugin package directory nesting exceeds the configured bound"

typedef struct dir_frame {
  DIR *dir;          /* owns the directory fd */
  char **names;      /* sorted; each malloc'd */
  size_t count, next;
  size_t prefix_len; /* bytes of `path` that name this directory + '/' */
} dir_frame;

typedef struct dir_walk {
  const wg_pkg_limits *limits;
  wg_arena *arena;
  pkg_list *files;
  wg_pkg_diag *diag;
  dir_frame *stack;
  size_t depth;          /* frames in use */
  size_t names_listed;   /* bounds memory used by listings */
  size_t dirs;
  uint64_t expanded, path_bytes;
  char path[WG_PKG_MAX_DIR_PATH + 1];
} dir_walk;

static int dir_fail(dir_walk *w, wg_pkg_code kind, const char *message) {
  pkg_diag_set(w->diag, kind, WG_PKG_PHASE_DISCOVERY, message);
  return -1;
}

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void frame_close(dir_frame *f) {
  for (size_t i = 0; i < f->count; i++) free(f->names[i]);
  free(f->names);
  if (f->dir) closedir(f->dir);
  *f = (dir_frame){0};
}

/* A listing can hold at most every file and directory the limits allow plus
 * one offender; past that the package is refused before it is stored. */
static bool listing_full(const dir_walk *w) {
  return w->names_listed > 2 * w->limits->max_entries;
}

static int frame_add_name(dir_walk *w, dir_frame *f, size_t *alloc,
                          const char *name) {
  w->names_listed++;
  if (listing_full(w))
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_TOO_MANY);
  char **names = wg_vec_reserve(f->names, alloc, f->count + 1, sizeof *names, 0);
  if (!names) goto oom;
  f->names = names;
  f->names[f->count] = strdup(name);
  if (!f->names[f->count]) goto oom;
  f->count++;
  return 0;
oom:
  pkg_diag_oom(w->diag);
  return -1;
}

/* Takes ownership of `fd` (a directory) and pushes a frame listing it. */
static int frame_push(dir_walk *w, int fd, size_t prefix_len) {
  dir_frame *f = &w->stack[w->depth];
  *f = (dir_frame){.prefix_len = prefix_len};
  f->dir = fdopendir(fd);
  if (!f->dir) {
    pkg_diag_io(w->diag, PKG_MSG_META_IO, errno);
    close(fd);
    return -1;
  }
  w->depth++;
  size_t alloc = 0;
  for (;;) {
    errno = 0;
    struct dirent *de = readdir(f->dir);
    if (!de) break;
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
    if (frame_add_name(w, f, &alloc, de->d_name) < 0) return -1;
  }
  if (errno != 0) {
    pkg_diag_io(w->diag, PKG_MSG_META_IO, errno);
    return -1;
  }
  if (f->count > 1) qsort(f->names, f->count, sizeof *f->names, name_cmp);
  return 0;
}

/* Opens a child directory and pushes it; `path_len` is its path's length. */
static int enter_dir(dir_walk *w, dir_frame *parent, const char *name,
                     size_t path_len) {
  if (w->depth > w->limits->max_dir_depth)
    return dir_fail(w, WG_PKG_BOUNDS, DIR_MSG_DEPTH);
  if (++w->dirs > w->limits->max_entries)
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_TOO_MANY);
  if (path_len + 1 > WG_PKG_MAX_DIR_PATH)
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_TOO_BIG);
  int fd = openat(dirfd(parent->dir), name,
                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
    return dir_fail(w, WG_PKG_TRAVERSAL, PKG_MSG_SYMLINK); /* swapped in */
  if (fd < 0) {
    pkg_diag_io(w->diag, PKG_MSG_META_IO, errno);
    return -1;
  }
  w->path[path_len] = '/';
  return frame_push(w, fd, path_len + 1);
}

/* Size checks shared with the ZIP reader, plus the zipped form's size. */
static int check_file_size(dir_walk *w, uint64_t size, size_t path_len) {
  if (w->files->count >= w->limits->max_entries)
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_TOO_MANY);
  if (size > w->limits->max_file_size)
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_FILE_BOUND);
  w->expanded += size;
  if (w->expanded > w->limits->max_expanded_size)
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_EXPANDED);
  w->path_bytes += path_len;
  uint64_t zip_size =
      pkg_zip_size_for(w->files->count + 1, w->path_bytes, w->expanded);
  if (zip_size > w->limits->max_package_size)
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_TOO_BIG);
  return 0;
}

/* Reads an open regular file into the arena and lists it. */
static int store_file(dir_walk *w, int fd, size_t size, size_t path_len) {
  uint8_t *data = wg_arena_alloc(w->arena, size);
  char *path = wg_arena_strndup(w->arena, w->path, path_len);
  if (!data || !path) {
    pkg_diag_oom(w->diag);
    return -1;
  }
  if (pkg_read_exact(fd, data, size, w->diag) < 0) return -1;
  wg_pkg_file f = {path, path_len, data, size};
  if (!pkg_list_push(w->files, &f)) {
    pkg_diag_oom(w->diag);
    return -1;
  }
  return 0;
}

static int read_file(dir_walk *w, dir_frame *parent, const char *name,
                     size_t path_len) {
  int fd = openat(dirfd(parent->dir), name,
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ELOOP)
    return dir_fail(w, WG_PKG_TRAVERSAL, PKG_MSG_SYMLINK); /* swapped in */
  if (fd < 0) {
    pkg_diag_io(w->diag, PKG_MSG_META_IO, errno);
    return -1;
  }
  struct stat st;
  int rc = -1;
  if (fstat(fd, &st) != 0)
    pkg_diag_io(w->diag, PKG_MSG_META_IO, errno);
  else if (!S_ISREG(st.st_mode) || st.st_size < 0)
    dir_fail(w, WG_PKG_MALFORMED, DIR_MSG_NOT_REGULAR); /* swapped in */
  else if (check_file_size(w, (uint64_t)st.st_size, path_len) == 0)
    rc = store_file(w, fd, (size_t)st.st_size, path_len);
  close(fd);
  return rc;
}

/* Handles one name of the top frame. */
static int visit(dir_walk *w, dir_frame *f, const char *name) {
  size_t name_len = strlen(name);
  if (!wg_utf8_valid((const uint8_t *)name, name_len))
    return dir_fail(w, WG_PKG_MALFORMED, DIR_MSG_NAME_UTF8);
  size_t path_len = f->prefix_len + name_len;
  if (path_len > WG_PKG_MAX_DIR_PATH)
    return dir_fail(w, WG_PKG_BOUNDS, PKG_MSG_TOO_BIG);
  memcpy(w->path + f->prefix_len, name, name_len);
  w->path[path_len] = '\0';
  if (!pkg_path_valid(w->path, path_len))
    return dir_fail(w, WG_PKG_TRAVERSAL, PKG_MSG_ESCAPES);
  struct stat st;
  if (fstatat(dirfd(f->dir), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    pkg_diag_io(w->diag, PKG_MSG_META_IO, errno);
    return -1;
  }
  if (S_ISLNK(st.st_mode)) return dir_fail(w, WG_PKG_TRAVERSAL, PKG_MSG_SYMLINK);
  if (S_ISDIR(st.st_mode)) return enter_dir(w, f, name, path_len);
  if (!S_ISREG(st.st_mode))
    return dir_fail(w, WG_PKG_MALFORMED, DIR_MSG_NOT_REGULAR);
  return read_file(w, f, name, path_len);
}

static int walk(dir_walk *w, int rootfd) {
  int fd = dup(rootfd); /* the frame owns (and closes) its own fd */
  if (fd < 0) {
    pkg_diag_io(w->diag, PKG_MSG_META_IO, errno);
    return -1;
  }
  if (frame_push(w, fd, 0) < 0) return -1;
  while (w->depth > 0) {
    dir_frame *f = &w->stack[w->depth - 1];
    if (f->next == f->count) {
      frame_close(f);
      w->depth--;
      continue;
    }
    if (visit(w, f, f->names[f->next++]) < 0) return -1;
  }
  return 0;
}

int pkg_dir_read(int root_fd, const wg_pkg_limits *limits, wg_arena *arena,
                 pkg_list *files, wg_pkg_diag *diag) {
  dir_walk *w = calloc(1, sizeof *w);
  if (!w) {
    pkg_diag_oom(diag);
    return -1;
  }
  w->limits = limits;
  w->arena = arena;
  w->files = files;
  w->diag = diag;
  /* Frames: the root plus max_dir_depth nested levels. */
  w->stack = calloc((size_t)limits->max_dir_depth + 1, sizeof *w->stack);
  int rc = -1;
  if (!w->stack)
    pkg_diag_oom(diag);
  else
    rc = walk(w, root_fd);
  for (size_t i = 0; w->stack && i < w->depth; i++) frame_close(&w->stack[i]);
  free(w->stack);
  free(w);
  return rc;
}
