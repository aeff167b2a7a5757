// tests/support/pch.h — precompiled header of the integration tests and their support library:
// GoogleTest and the standard headers most test files include (each test file still includes
// what it uses; this only saves parsing them once per file).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
