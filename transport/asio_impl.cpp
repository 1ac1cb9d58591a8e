// The one translation unit compiling Boost.Asio, Asio SSL and Beast non-template code
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are PUBLIC definitions of
// edgesync_transport, so every consumer links against this copy instead of inlining its own).
#include <utility>  // before asio: Boost 1.74 awaitable.hpp needs std::exchange

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
