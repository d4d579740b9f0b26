# packaging/install.cmake — what `cmake --install` puts in place (README.md "Install",
# docs/cli.md "Installed files"). Included from CMakeLists.txt after the rbk target.
# Every destination is relative to CMAKE_INSTALL_PREFIX, so `--prefix` and DESTDIR move them all.
include(GNUInstallDirs)

set(RBK_BASH_COMPLETION_DIR "${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions"
    CACHE STRING "where the bash completion goes (relative to the prefix)")
set(RBK_ZSH_COMPLETION_DIR "${CMAKE_INSTALL_DATAROOTDIR}/zsh/vendor-completions"
    CACHE STRING "where the zsh completion goes (Debian's; others use share/zsh/site-functions)")
set(RBK_FISH_COMPLETION_DIR "${CMAKE_INSTALL_DATAROOTDIR}/fish/vendor_completions.d"
    CACHE STRING "where the fish completion goes (relative to the prefix)")
set(RBK_VIM_DIR "${CMAKE_INSTALL_DATAROOTDIR}/vim/vimfiles"
    CACHE STRING "the system-wide Vim runtime directory for syntax/ and ftdetect/")

install(TARGETS rbk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The network module (base/netmod.h): loaded by run, resume, sim and version only, from the
# package's private library directory; its place relative to bin/ is compiled into rbk
# (RBK_NET_DIR and RBK_NET_RELDIR in CMakeLists.txt).
install(TARGETS rbk-net LIBRARY DESTINATION ${RBK_NET_DIR})
# The static front's other half (docs/architecture.md "The static front"): the dynamic rbk that runs
# run, resume, sim, version and plan --live, beside the module, where bin/rbk looks for it.
if(RBK_FRONT)
  install(TARGETS rbk-full RUNTIME DESTINATION ${RBK_NET_DIR})
  # lintian's overrides: a static bin/rbk with libyaml in it is this package's design, not a slip.
  install(FILES packaging/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides RENAME rbk)
endif()

install(FILES man/rbk.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES man/rbk-language.7 DESTINATION ${CMAKE_INSTALL_MANDIR}/man7)

install(FILES completions/rbk.bash DESTINATION ${RBK_BASH_COMPLETION_DIR} RENAME rbk)
install(FILES completions/_rbk DESTINATION ${RBK_ZSH_COMPLETION_DIR})
install(FILES completions/rbk.fish DESTINATION ${RBK_FISH_COMPLETION_DIR})

install(FILES editors/vim/syntax/rbk.vim DESTINATION ${RBK_VIM_DIR}/syntax)
install(FILES editors/vim/ftdetect/rbk.vim DESTINATION ${RBK_VIM_DIR}/ftdetect)
install(FILES editors/textmate/rbk.tmLanguage.json
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/rbk/editors)

install(FILES README.md packaging/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The seed's plans as examples: each plan with its libraries, its rehearsal cases and the
# scenario files they name, so that `rbk check` and `rbk test` work on the installed copy.
install(DIRECTORY plans/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        FILES_MATCHING PATTERN "*.rbk" PATTERN "*.test.json" PATTERN "scenarios/*.json")
