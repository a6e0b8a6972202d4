#include "model/env/file_system.h"

#include "absl/strings/str_cat.h"
#include "model/env/status.h"

namespace model {

absl::StatusOr<std::string> ReadWholeFile(FileSystem& fs, std::string_view path) {
  ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(path, OpenOptions{}));
  absl::StatusOr<uint64_t> size = file->Size();
  if (!size.ok()) {
    (void)file->Close();
    return size.status();
  }
  absl::StatusOr<std::string> data = file->Read(0, static_cast<size_t>(*size));
  absl::Status closed = file->Close();
  if (!data.ok()) return data.status();
  if (!closed.ok()) return closed;
  return data;
}

absl::Status WriteFileAtomically(FileSystem& fs, std::string_view path, std::string_view data) {
  const std::string temp = absl::StrCat(Av(path), ".tmp-atomic");
  {
    OpenOptions options;
    options.write = true;
    options.create = true;
    options.truncate = true;
    ASSIGN_OR_RETURN(std::unique_ptr<File> file, fs.Open(temp, options));
    absl::Status status = file->Append(data);
    if (status.ok()) status = file->Sync();
    absl::Status closed = file->Close();
    if (status.ok()) status = closed;
    if (!status.ok()) {
      (void)fs.Remove(temp);  // undo (STYLE rule 11)
      return status;
    }
  }
  absl::Status renamed = fs.Rename(temp, path);
  if (!renamed.ok()) {
    (void)fs.Remove(temp);
    return renamed;
  }
  const size_t slash = path.rfind('/');
  return fs.SyncDir(slash == std::string_view::npos ? std::string_view() : path.substr(0, slash));
}

}  // namespace model
