#include "kms/Exception.hpp"
// Exception is header-only today; this unit anchors it in kms::base.
