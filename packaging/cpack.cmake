# packaging/cpack.cmake — `cpack -G DEB` (run in the build directory) makes a Debian package of
# what packaging/install.cmake installs, with dependencies computed by dpkg-shlibdeps, the
# Debian changelog and compressed manual pages, as lintian wants (tests/package checks it).
set(RBK_MAINTAINER "rbk maintainers <maintainers@users.noreply.r-seed-aa10aadd.example>"
    CACHE STRING "the Maintainer of the Debian package")
set(RBK_DEB_REVISION 1 CACHE STRING "the Debian revision of the package (VERSION-REVISION)")
set(RBK_DEB_VERSION "${PROJECT_VERSION}-${RBK_DEB_REVISION}")

set(CPACK_PACKAGE_NAME rbk)
set(CPACK_PACKAGE_VENDOR "the rbk maintainers")
set(CPACK_PACKAGE_CONTACT "${RBK_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "incident runbooks as checked, rehearsed plans")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${RBK_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${RBK_DEB_REVISION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The extended description; cpack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "rbk turns a wiki runbook into a plan: a .rbk file that is reviewed in Git,
checked and formatted like code, dry-run to print every action it can take,
rehearsed against a simulated Kubernetes cluster in virtual time, and executed
during the incident - with gates, approvals, parallel blocks, waits, asserts
and notifications - with a journal that an interrupted run resumes from.")

# Debian wants its changelog and the manual pages compressed with gzip -9n; a plain
# `cmake --install` keeps them as they are. The script runs on cpack's staging copy.
configure_file(packaging/debian/changelog.in ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian @ONLY)
configure_file(packaging/deb-staging.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/deb-staging.cmake @ONLY)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_BINARY_DIR}/deb-staging.cmake)

include(CPack)
