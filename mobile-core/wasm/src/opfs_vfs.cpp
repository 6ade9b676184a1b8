// A SQLite VFS over the browser's origin-private file system (OPFS): the worker opens a FileSystemSyncAccessHandle for
// the replica and for its journal before the core runs (creating one is asynchronous) and lists them in
// Module.opfsFiles as {path, handle}; SQLite reads and writes them synchronously, and xSync is handle.flush(), so a
// committed change is on disk when the call returns. Deleting a file empties it: the handles stay open.
#include <emscripten.h>
#include <sqlite3.h>

#include <cstddef>
#include <cstring>

// Each call on a handle can throw (the file was removed, the quota is used up): the JavaScript side answers -1 then,
// which the VFS reports as an I/O error. The index of path in Module.opfsFiles, or -1.
EM_JS(int, opfs_find, (const char* path), {
    const name = UTF8ToString(path);
    const files = Module.opfsFiles || [];
    for (let i = 0; i < files.length; i++)
        if (files[i].path == name) return i;
    return -1;
});
EM_JS(int, opfs_read, (int file, void* buffer, int size, double offset), {
    try {
        return Module.opfsFiles[file].handle.read(HEAPU8.subarray(buffer, buffer + size), {at : offset});
    } catch (e) {
        return -1;
    }
});
EM_JS(int, opfs_write, (int file, const void* buffer, int size, double offset), {
    try {
        return Module.opfsFiles[file].handle.write(HEAPU8.subarray(buffer, buffer + size), {at : offset});
    } catch (e) {
        return -1;
    }
});
EM_JS(int, opfs_truncate, (int file, double size), {
    try {
        Module.opfsFiles[file].handle.truncate(size);
        return 0;
    } catch (e) {
        return -1;
    }
});
EM_JS(int, opfs_flush, (int file), {
    try {
        Module.opfsFiles[file].handle.flush();
        return 0;
    } catch (e) {
        return -1;
    }
});
EM_JS(double, opfs_size, (int file), {
    try {
        return Module.opfsFiles[file].handle.getSize();
    } catch (e) {
        return -1;
    }
});

namespace {

struct OpfsFile {
    sqlite3_file base;
    int file;
};

int file_of(sqlite3_file* f) { return reinterpret_cast<OpfsFile*>(f)->file; }

int close_file(sqlite3_file*) { return SQLITE_OK; }

int read_file(sqlite3_file* f, void* buffer, int size, sqlite3_int64 offset) {
    int got = opfs_read(file_of(f), buffer, size, static_cast<double>(offset));
    if (got < 0) return SQLITE_IOERR_READ;
    if (got == size) return SQLITE_OK;
    // SQLite expects the missing tail of a short read zeroed.
    std::memset(static_cast<char*>(buffer) + got, 0, static_cast<std::size_t>(size - got));
    return SQLITE_IOERR_SHORT_READ;
}

int write_file(sqlite3_file* f, const void* buffer, int size, sqlite3_int64 offset) {
    return opfs_write(file_of(f), buffer, size, static_cast<double>(offset)) == size ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

int truncate_file(sqlite3_file* f, sqlite3_int64 size) {
    return opfs_truncate(file_of(f), static_cast<double>(size)) == 0 ? SQLITE_OK : SQLITE_IOERR_TRUNCATE;
}

int sync_file(sqlite3_file* f, int) { return opfs_flush(file_of(f)) == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC; }

int file_size(sqlite3_file* f, sqlite3_int64* size) {
    double bytes = opfs_size(file_of(f));
    if (bytes < 0) return SQLITE_IOERR_FSTAT;
    *size = static_cast<sqlite3_int64>(bytes);
    return SQLITE_OK;
}

// One connection in one worker; the access handles themselves keep every other tab out of the files.
int lock_file(sqlite3_file*, int) { return SQLITE_OK; }
int check_reserved(sqlite3_file*, int* reserved) {
    *reserved = 0;
    return SQLITE_OK;
}
int file_control(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int sector_size(sqlite3_file*) { return 4096; }
int device_characteristics(sqlite3_file*) { return 0; }

const sqlite3_io_methods kMethods = {
    .iVersion = 1,
    .xClose = close_file,
    .xRead = read_file,
    .xWrite = write_file,
    .xTruncate = truncate_file,
    .xSync = sync_file,
    .xFileSize = file_size,
    .xLock = lock_file,
    .xUnlock = lock_file,
    .xCheckReservedLock = check_reserved,
    .xFileControl = file_control,
    .xSectorSize = sector_size,
    .xDeviceCharacteristics = device_characteristics,
};

int open_file(sqlite3_vfs*, const char* path, sqlite3_file* f, int flags, int* out_flags) {
    f->pMethods = nullptr;
    int file = path ? opfs_find(path) : -1;
    if (file < 0) return SQLITE_CANTOPEN;
    auto* opened = reinterpret_cast<OpfsFile*>(f);
    opened->file = file;
    f->pMethods = &kMethods;
    if (out_flags) *out_flags = flags;
    return SQLITE_OK;
}

int delete_file(sqlite3_vfs*, const char* path, int) {
    int file = opfs_find(path);
    if (file < 0) return SQLITE_OK;
    return opfs_truncate(file, 0) == 0 && opfs_flush(file) == 0 ? SQLITE_OK : SQLITE_IOERR_DELETE;
}

// A file exists when it has content: deleting one empties it.
int access_file(sqlite3_vfs*, const char* path, int, int* result) {
    int file = opfs_find(path);
    double bytes = file >= 0 ? opfs_size(file) : 0;
    if (bytes < 0) return SQLITE_IOERR_ACCESS;
    *result = bytes > 0;
    return SQLITE_OK;
}

int full_pathname(sqlite3_vfs*, const char* path, int size, char* out) {
    sqlite3_snprintf(size, out, "%s", path);
    return SQLITE_OK;
}

sqlite3_vfs* fallback() { return sqlite3_vfs_find("unix"); }
int randomness(sqlite3_vfs*, int size, char* out) { return fallback()->xRandomness(fallback(), size, out); }
int sleep_for(sqlite3_vfs*, int microseconds) { return fallback()->xSleep(fallback(), microseconds); }
int current_time(sqlite3_vfs*, double* now) { return fallback()->xCurrentTime(fallback(), now); }
int current_time_ms(sqlite3_vfs*, sqlite3_int64* now) { return fallback()->xCurrentTimeInt64(fallback(), now); }

sqlite3_vfs opfs_vfs = {
    .iVersion = 2,
    .szOsFile = static_cast<int>(sizeof(OpfsFile)),
    .mxPathname = 512,
    .zName = "opfs",
    .xOpen = open_file,
    .xDelete = delete_file,
    .xAccess = access_file,
    .xFullPathname = full_pathname,
    .xRandomness = randomness,
    .xSleep = sleep_for,
    .xCurrentTime = current_time,
    .xCurrentTimeInt64 = current_time_ms,
};

}  // namespace

extern "C" {

// Makes the OPFS VFS the default, so fr_replica_open of a path in Module.opfsFiles uses it; 0 on success.
EMSCRIPTEN_KEEPALIVE int fr_wasm_use_opfs() { return sqlite3_vfs_register(&opfs_vfs, 1); }

}  // extern "C"
